-- Version 10: an admin's files are documents (searched: in the knowledge base's vector store)
-- or data files (given to the code interpreter of every conversation under the profile).
ALTER TABLE knowledge_files ADD COLUMN kind TEXT NOT NULL DEFAULT 'document';
