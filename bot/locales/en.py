# ruff: noqa: E501  (catalogue lines are sentences; wrapping them hurts translation)
"""English: the bot's own words (the model's answers are in whatever language it chooses)."""

MESSAGES: dict[str, str] = {
    # Help and everyday commands.
    "help": (
        "I'm your AI assistant. Write to me, or attach files for me to read or analyse.\n"
        "Commands:\n"
        "  {p}help    this text\n"
        "  {p}reset   start a new conversation (I forget the previous one)\n"
        "  {p}retry   ask your last failed question again\n"
        "  {p}status  is an answer of yours in progress, and what is queued\n"
        "  {p}stop    stop your answer in progress\n"
        "  {p}usage   your usage today"
    ),
    "help.admin": (
        "Admin commands:\n"
        "  {p}config show                     the assistant here, and where each setting comes from\n"
        "  {p}config instructions [TEXT]      set the instructions (a form opens without TEXT)\n"
        "  {p}config model NAME               set the model\n"
        "  {p}config tools on|off TOOL        enable or disable code_interpreter, file_search, a function\n"
        "  {p}config language en|ko|auto      the bot's language in this workspace\n"
        "  {p}config prompts [T | M; …]|clear   suggested prompts (Slack; a form opens without text)\n"
        "  {p}config channel instructions|model|tools ... | clear   override for this channel only\n"
        "  {p}config history                  recent changes, numbered\n"
        "  {p}config rollback N               undo change N\n"
        "  {p}knowledge add|list|remove NAME [workspace]   knowledge base documents\n"
        "  {p}quota [channel] messages N|tokens N|off   daily limits per person\n"
        "  {p}usage all                       usage per person and totals, with estimated cost"
    ),
    "help.admin@discord": (
        "Admin commands:\n"
        "  {p}config show                       the assistant here, and where each setting comes from\n"
        "  {p}config instructions [text:]       set the instructions (a form opens without text)\n"
        "  {p}config model name:                set the model\n"
        "  {p}config tools state: tool:         enable or disable code_interpreter, file_search, a function\n"
        "  {p}config language                   the bot's language in this server\n"
        "  {p}config channel setting: value:    override for this channel only (setting:clear to undo)\n"
        "  {p}config history                    recent changes, numbered\n"
        "  {p}config rollback change:           undo a change\n"
        "  {p}knowledge add|list|remove [where:server]   knowledge base documents\n"
        "  {p}quota messages|tokens limit: | off [where:channel]   daily limits per person\n"
        "  {p}usage all                         usage per person and totals, with estimated cost"
    ),
    "reset.done": "Started a new conversation. What would you like to talk about?",
    "retry.started": "Trying your last question again…",
    "retry.none": "There is no failed question to retry.",
    "unknown_command": "Unknown command {name}. Try {p}help.",
    "not_admin": "Only admins can use “{command}” (the workspace's or server's admins, or people the bot's settings name).",
    "not_admin@slack": "Only admins can use “{command}” (the workspace's admins and owners, or people the bot's settings name).",
    "not_admin@discord": "Only admins can use “{command}” (members with Manage Server or an admin role, or people the bot's settings name).",
    "not_enabled_here": "I'm not enabled in this server.",
    "command.failed": "Sorry, “{command}” didn't work this time: something went wrong on my side. Please try again in a moment.",
    "not_taken": "Sorry, I couldn't take your question right now. Please try again.",
    "server_only": "Admin commands work in a server (they set up that server's assistant), not in direct messages.",
    "form.too_long": "The current text is {length} characters, more than a form here can hold ({limit}); give the new text with the command instead.",
    "form.failed": "I couldn't open the form. Please try the command again.",
    "status.idle": "Nothing of yours is in progress or queued.",
    "status.busy": "An answer of yours is in progress; {queued} more message(s) queued.",
    "status.queued": "{queued} message(s) of yours are queued.",
    "stop.done": "Stopping your answer in progress.",
    "stop.none": "You have no answer in progress.",
    "usage.mine": "Today: {messages} message(s), {tokens} tokens. The day resets in {resets}.",
    "usage.mine.limits": "Your daily limits here: {limits}.",
    "usage.all.title": "Usage in this workspace, last {days} days:",
    "usage.all.title@discord": "Usage in this server, last {days} days:",
    "usage.all.line": "• {user}: {messages} message(s), {tokens} tokens (~${cost})",
    "usage.all.total": "Total: {messages} message(s), {tokens} tokens (~${cost}).",
    "usage.all.empty": "No usage in the last {days} days.",
    # Configuration.
    "config.show": (
        "Assistant for {scope}:\n"
        "• model: {model} ({model_from})\n"
        "• backend: {backend} ({backend_from})\n"
        "• tools: {tools} ({tools_from})\n"
        "• answer mode: {run_mode} ({run_mode_from})\n"
        "• language: {language}\n"
        "• knowledge base: {knowledge}\n"
        "• quota per person per day: {quota}\n"
        "• instructions ({instructions_from}):\n{instructions}"
    ),
    "config.hosted_unavailable": "{tool} cannot be turned on here: this profile's model server speaks Chat Completions, which has no code interpreter or file search (only functions). Switch with config api responses first.",
    "config.api_saved": "Saved: {scope} now uses the {api} API{server}.",
    "config.api_hosted_off": " Code interpreter and file search are not available there, so they are off while it does.",
    "config.bad_api": "Choose responses, chat_completions or default.",
    "config.server_not_listed": "{url} is not one of the model servers this bot may use. The deployer lists them in MODEL_BASE_URLS: {allowed}.",
    "kb.no_hosted_tools": "Knowledge bases need file search, which this assistant's model server (Chat Completions) does not have.",
    "config.from.settings": "bot default",
    "config.from.workspace": "workspace setting",
    "config.from.workspace@discord": "server setting",
    "config.from.channel": "this channel's override",
    "config.none": "none",
    "config.unlimited": "no limit",
    "config.saved": "Saved: {field} for {scope} is now {value}.",
    "config.cleared": "This channel now uses the workspace's settings again.",
    "config.cleared@discord": "This channel now uses the server's settings again.",
    "config.unknown_tool": "Unknown tool {tool}. Choose from: {choices}.",
    "config.bad_language": "Choose en, ko or auto.",
    "config.usage": "Usage: config show | instructions [TEXT] | model NAME | tools on|off TOOL | api responses|chat_completions|default | server URL|default | language en|ko|auto | prompts … | channel … | history | rollback N",
    "config.history.empty": "No changes yet.",
    "config.history.line": "#{id} {when} {who}: {field} of {scope} → {value}",
    "config.rollback.done": "Rolled back change #{id}: {field} of {scope} is {value} again.",
    "config.rollback.missing": "There is no change #{id} here.",
    "config.instructions.title": "Assistant instructions",
    "config.instructions.label": "Instructions for {scope}",
    "scope.workspace": "the whole workspace",
    "scope.workspace@discord": "the whole server",
    "scope.channel": "this channel",
    "quota.saved": "Daily limit per person for {scope}: {limits}.",
    "quota.exceeded": "You've reached today's limit of {limit} here. It resets in {resets} (at 00:00 UTC); your message is kept, so send {p}retry then to get the answer.",
    "quota.limit.messages": "{n} messages",
    "quota.limit.tokens": "{n} tokens",
    "quota.usage": "Usage: quota [channel] messages N | tokens N | off",
    # Knowledge base.
    "kb.attach": "Attach the documents to add (PDF, DOCX, PPTX, MD, TXT, HTML).",
    "kb.not_document": "{name}: not a document type I can search.",
    "kb.too_large": "{name} is too large (the limit is {limit}).",
    "kb.failed": "{name}: could not be read for searching ({reason}).",
    "kb.added": "{name}: added to the knowledge base of {scope}.",
    "kb.empty": "The knowledge base of {scope} is empty.",
    "kb.list": "Knowledge base of {scope}:\n{names}",
    "kb.removed": "Removed {name} from the knowledge base of {scope}.",
    "kb.missing": "There is no document named {name} in the knowledge base of {scope}.",
    "kb.usage": "Usage: knowledge add|list|remove NAME [workspace]",
    # Opening the conversation (Slack's Agent messaging experience) and suggested prompts.
    "welcome.greeting": "Hi! I'm your AI assistant. Ask me anything, attach files for me to read or analyse, or open a channel and ask me to summarise it. Each message you send here starts its own thread; {p}reset starts a new conversation.",
    "welcome.prompts_title": "Try asking",
    "prompt.summarise.title": "Summarise this channel",
    "prompt.summarise.message": "Summarise the recent messages in this channel, with links to the important ones.",
    "prompt.explain.title": "Explain something",
    "prompt.explain.message": "Explain how compound interest works.",
    "prompt.analyse.title": "Analyse a file",
    "prompt.analyse.message": "I'll attach a CSV: summarise it and plot a chart.",
    "prompt.search.title": "Search the documents",
    "prompt.search.message": "Search our documents and summarise what they cover, with sources.",
    "prompt.solve.title": "Solve a problem",
    "prompt.solve.message": "Solve 3x + 11 = 14, step by step.",
    "config.prompts.title": "Suggested prompts",
    "config.prompts.label": "One prompt a line: Title | message (at most 4)",
    "config.prompts.saved": "Saved the suggested prompts for the whole workspace: {titles}.",
    "config.prompts.cleared": "The suggested prompts are back to the defaults.",
    "config.prompts.bad": "Give at most 4 prompts as Title | message: one a line in the form, separated by ; in the command (titles up to 75 characters).",
    # Reading what the person looks at.
    "read.nothing_viewed": "I don't know which channel you're looking at. Open the channel with me beside it, or mention me in it, and ask again.",
    "read.no_thread": "You're not looking at a thread right now; I can summarise the channel instead.",
    "read.not_member": "I'm not a member of {channel}, so I can't read it. Invite me to it if you'd like me to read it.",
    "read.not_visible": "I can't read {channel} for you: you are not a member of it.",
    "read.unavailable": "I couldn't read {channel} just now. Please try again in a moment.",
    # Answers.
    "status.thinking": "Thinking…",
    "status.queued_model": "Waiting for the model…",
    "status.code": "Running code…",
    "status.search": "Searching documents…",
    "status.function": "Calling a function…",
    "status.working": "Working…",
    "answer.empty_message": "Send me a question, or attach a file I can read.",
    "answer.interrupted": "This answer was interrupted by a restart. Send {p}retry to ask again.",
    "answer.cut_short": "The answer was cut short by {reason}.",
    "answer.cut_short.length": "the length limit",
    "answer.cut_short.other": "a limit",
    "answer.round_limit": "I stopped here: the model kept asking to call functions ({n} requests for this question). Please ask again, more specifically.",
    "answer.quota_reached": "I stopped here: this answer took you to today's limit of {limit} here. It resets in {resets} (at 00:00 UTC).",
    "answer.stopped": "The answer was stopped.",
    "answer.sources": "Sources",
    "answer.attached": "attached",
    "file.no_hosted_tools": "Code interpreter and file search are not available with this assistant's model server (Chat Completions), so these files were not used: {names}. Pictures work, and so does text pasted into your message.",
    "file.too_large_to_upload": "{name} is too large to upload here.",
    "file.upload_failed": "I couldn't upload {name}.",
    "file.unsupported": "I can't read {name}: files of type .{kind} are not supported.",
    "file.no_extension": "I can't read {name}: it has no file extension, so I can't tell what kind of file it is.",
    "file.not_shared": "Slack did not share the contents of {name}.",
    "file.not_on_slack": "I didn't open {name}: its link does not point to this Slack workspace's files.",
    "file.not_on_discord": "I didn't open {name}: it is not stored on Discord. Please attach the file to your message.",
    "file.redirected": "I didn't open {name}: its download was sent on to another site ({host}), which I don't fetch files from.",
    "file.too_large": "{name} is too large ({size}); the limit for {kind} files is {limit}.",
    "file.download_failed": "I couldn't download {name}; please send it again.",
    "file.ready_data": "{name}: ready for analysis with Python.",
    "file.ready_document": "{name}: added to your documents; I'll search it when it helps.",
    "file.document_failed": "I couldn't read {name} for searching ({reason}).",
    "file.kind.image": "image",
    "file.kind.data": "data",
    "file.kind.document": "document",
    # Errors (one friendly sentence each).
    "error.generic": "Sorry, something went wrong while answering. Please try again.",
    "error.model_unavailable": "The AI service is not answering right now. Please try again in a minute.",
    "error.rate_limited": "The AI service is busy (rate limited). Please try again shortly.",
    "error.platform_rate_limited": "{service} is limiting how fast I can post right now, so this answer could not be finished. Please try again in a minute.",
    "error.openai_quota": "The bot's OpenAI account has used up its credit or quota, so I can't answer. Please tell an admin.",
    "error.busy": "Your previous answer is still being written. Please try again in a moment.",
    "error.model_failed": "The AI model ran into an error while answering. Please try again.",
    "error.stream_interrupted": "The connection to the AI service dropped before the answer was finished.",
    "error.credentials": "The bot's OpenAI key was refused. Please tell an admin.",
    "error.model_not_found": "The AI server has no model called {model}. Please tell an admin (config model NAME chooses another).",
    "error.context_too_long": "This conversation has grown too long for the model, even leaving out the oldest messages. Send reset to start a new one.",
}
