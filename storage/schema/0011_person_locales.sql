-- Version 11: a person's language, remembered from their last interaction that carried it
-- (Discord sends a locale with slash commands only), for the messages that do not.
CREATE TABLE person_locales (
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    locale      TEXT NOT NULL,
    updated_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, user_id)
);
