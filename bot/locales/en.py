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
        "  {p}usage   your usage today\n"
        "  {p}quota   your daily limits and what is left today\n"
        "  {p}export  your history with me, as a file\n"
        "  {p}forget  delete everything I keep about you (asks first)"
    ),
    "help.admin": (
        "Admin commands:\n"
        "  {p}config show                     the assistant here, and where each setting comes from\n"
        "  {p}config instructions [TEXT]      set the instructions (a form opens without TEXT)\n"
        "  {p}config model NAME               set the model\n"
        "  {p}config tools on|off TOOL        enable or disable code_interpreter, file_search, web_search, image_generation, a function\n"
        "  {p}config mode stream|poll|background|default   how answers are run and shown\n"
        "  {p}config language en|ko|auto      the bot's language in this workspace\n"
        "  {p}config prompts [T | M; …]|clear   suggested prompts (Slack; a form opens without text)\n"
        "  {p}config retention DAYS|off       delete conversations idle for DAYS\n"
        "  {p}config [channel] tutor hints|socratic|exam [HH:MM-HH:MM] | off   tutor policy\n"
        "  {p}config channel instructions|model|tools|mode ... | clear   override for this channel only\n"
        "  {p}config history                  recent changes, numbered\n"
        "  {p}config rollback N               undo change N\n"
        "  {p}knowledge add|list|remove NAME [workspace]   knowledge base documents\n"
        "  {p}quota [channel] messages N|tokens N|off   daily limits per person\n"
        "  {p}quota role ROLE messages N|tokens N|off   limits for people with a role\n"
        "  {p}quota show                      the limits set here\n"
        "  {p}usage all                       usage per person and totals, with estimated cost"
    ),
    "help.admin@discord": (
        "Admin commands:\n"
        "  {p}config show                       the assistant here, and where each setting comes from\n"
        "  {p}config instructions [text:]       set the instructions (a form opens without text)\n"
        "  {p}config model name:                set the model\n"
        "  {p}config tools state: tool:         enable or disable code_interpreter, file_search, web_search, image_generation, a function\n"
        "  {p}config mode mode:                 how answers are run and shown\n"
        "  {p}config tutor preset: [windows:]   tutor policy: hints, socratic or exam\n"
        "  {p}config retention days:            delete conversations idle for that many days\n"
        "  {p}config language                   the bot's language in this server\n"
        "  {p}config channel setting: value:    override for this channel only (setting:clear to undo)\n"
        "  {p}config history                    recent changes, numbered\n"
        "  {p}config rollback change:           undo a change\n"
        "  {p}knowledge add|list|remove [where:server]   documents and data files\n"
        "  {p}quota messages|tokens limit: | off [where:channel]   daily limits per person\n"
        "  {p}quota role role: kind: limit:     limits for people with a role\n"
        "  {p}quota show                        the limits set here\n"
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
    "usage.mine": "Today: {messages} message(s), {tokens} tokens{tools}. The day resets in {resets}.",
    "usage.mine.limits": "Your daily limits here: {limits}.",
    "usage.all.title": "Usage in this workspace, last {days} days:",
    "usage.all.title@discord": "Usage in this server, last {days} days:",
    "usage.all.line": "• {user}: {messages} message(s), {tokens} tokens{tools} (~${cost})",
    "usage.all.total": "Total: {messages} message(s), {tokens} tokens{tools} (~${cost}).",
    "usage.chart.title": "Usage per day, last {days} days ({start} to {end}, UTC)",
    "usage.chart.others": "others",
    "usage.tools": ", {searches} web search(es), {images} image(s)",
    "usage.tools.note": "Against daily token limits, each web search counts as {search_tokens} tokens and each image as {image_tokens} tokens.",
    "usage.all.empty": "No usage in the last {days} days.",
    "feedback.up.label": "Good answer",
    "feedback.down.label": "Bad answer",
    "feedback.up.description": "Rate this answer as helpful",
    "feedback.down.description": "Rate this answer as not helpful",
    "feedback.saved.up": "Thanks! Your 👍 on this answer is noted.",
    "feedback.saved.down": "Thanks! Your 👎 on this answer is noted.",
    "feedback.changed.up": "Changed: your rating of this answer is now 👍.",
    "feedback.changed.down": "Changed: your rating of this answer is now 👎.",
    "feedback.not_yours": "Only the person who asked can rate this answer.",
    "feedback.unknown": "This answer can no longer be rated.",
    "feedback.failed": "Your rating could not be saved just now; please try again.",
    "usage.feedback.title": "Ratings of answers, last {days} days:",
    "usage.feedback.line": "• {profile}: 👍 {up} / 👎 {down}",
    "usage.feedback.workspace": "workspace profile",
    "usage.feedback.workspace@discord": "server profile",
    "usage.feedback.channel": "channel profile {channel}",
    "mcp.usage": "Usage: mcp [channel] list | add LABEL URL [tools=a,b] [approval=always|never] [header=NAME:MCP_VAR]… [approvers=asker|admins] | remove LABEL. A header's value is read from the bot's environment variable MCP_VAR (its name must start with MCP_; the server URL must be https://); never type a secret here.",
    "mcp.bad_label": "“{label}” is not a valid server label: start with a letter, then letters, digits, - or _ (64 at most).",
    "mcp.bad_url": "“{url}” is not an http(s) URL.",
    "mcp.bad_option": "I don't understand “{option}”. Options: tools=a,b approval=always|never header=NAME:MCP_VAR approvers=asker|admins.",
    "mcp.bad_header": "“{option}” should be header=NAME:MCP_VAR, naming the environment variable that holds the value (never the value itself); its name must start with MCP_.",
    "mcp.header_env_prefix": "{variable} cannot be used for a header: only environment variables whose names start with MCP_ can (ask the bot's operator to put the value in one, e.g. MCP_DEPLOYS_TOKEN).",
    "mcp.headers_need_https": "{label} was not added: a server with headers needs an https:// URL, so their values never travel unencrypted.",
    "mcp.missing_env": "The environment variable {variable} is not set on the bot's host, so {label} was not added. Set it, restart the bot, and add the server again.",
    "mcp.added": "MCP server {label} added for {scope}: {details}",
    "mcp.added.chat": "Note: this profile uses the Chat Completions API, where MCP servers are not available; they apply with the Responses API.",
    "mcp.details": "{url}; tools: {tools}; approval: {approval}; answered by: {approvers}; headers: {headers}",
    "mcp.all_tools": "all",
    "mcp.no_headers": "none",
    "mcp.removed": "MCP server {label} removed from {scope}.",
    "mcp.not_found": "There is no MCP server {label} for {scope}.",
    "mcp.list.title": "MCP servers for {scope}:",
    "mcp.list.empty": "No MCP servers for {scope}.",
    "mcp.list.line": "• {label}: {details}",
    "mcp.not_on_chat": "MCP servers are not available with the Chat Completions API; this answer was made without them.",
    "mcp.missing_env_now": "MCP server {label} was left out: the environment variable {variable} is not set on the bot's host. Please tell an admin.",
    "mcp.approval.request": "🔧 **{label}** wants to run `{tool}` with `{arguments}`.",
    "mcp.approval.request.bare": "🔧 **{label}** wants to run `{tool}`.",
    "mcp.approval.ask": "Approve or deny within {minutes} min.",
    "mcp.approve": "Approve",
    "mcp.deny": "Deny",
    "mcp.approved": "✅ Approved by {user}; continuing…",
    "mcp.denied": "❌ Denied by {user}; continuing without it…",
    "mcp.expired": "⌛ No answer in time: this tool call expired and was not run. Ask again if you still need it.",
    "mcp.not_yours": "Only the person who asked can answer this request.",
    "mcp.not_yours.admins": "Only the person who asked, or an admin, can answer this request.",
    "mcp.already": "This request was answered already.",
    "mcp.too_late": "This request expired: the tool call was not run. Ask again if you still need it.",
    "mcp.unknown": "This request is no longer known.",
    "mcp.failed": "Your answer to this request could not be saved just now; please try again.",
    "mcp.click.approved": "Approved: the answer continues.",
    "mcp.click.denied": "Denied: the answer continues without it.",
    # Configuration.
    "config.show": (
        "Assistant for {scope}:\n"
        "• model: {model} ({model_from})\n"
        "• backend: {backend} ({backend_from})\n"
        "• tools: {tools} ({tools_from})\n"
        "• answer mode: {run_mode} ({run_mode_from})\n"
        "• tutor policy: {tutor}\n"
        "• language: {language}\n"
        "• retention: {retention}\n"
        "• knowledge base: {knowledge}\n"
        "• quota per person per day: {quota}\n"
        "• instructions ({instructions_from}):\n{instructions}"
    ),
    "config.hosted_unavailable": "{tool} cannot be turned on here: this profile's model server speaks Chat Completions, which has none of OpenAI's hosted tools (code interpreter, file search, web search, image generation), only functions. Switch with config api responses first.",
    "config.api_saved": "Saved: {scope} now uses the {api} API{server}.",
    "config.api_hosted_off": " Code interpreter, file search, web search and image generation are not available there, so they are off while it does.",
    "config.bad_api": "Choose responses, chat_completions or default.",
    "config.server_not_listed": "{url} is not one of the model servers this bot may use. The deployer lists them in MODEL_BASE_URLS: {allowed}.",
    "kb.no_hosted_tools": "Knowledge bases need file search, which this assistant's model server (Chat Completions) does not have.",
    "config.from.settings": "bot default",
    "config.from.workspace": "workspace setting",
    "config.from.workspace@discord": "server setting",
    "config.from.channel": "this channel's override",
    "config.from.parent": "the parent channel's override",
    "config.none": "none",
    "config.unlimited": "no limit",
    "config.saved": "Saved: {field} for {scope} is now {value}.",
    "config.cleared": "This channel now uses the workspace's settings again.",
    "config.cleared@discord": "This channel now uses the server's settings again.",
    "config.unknown_tool": "Unknown tool {tool}. Choose from: {choices}.",
    "config.bad_language": "Choose en, ko or auto.",
    "config.usage": "Usage: config show | instructions [TEXT] | model NAME | tools on|off TOOL | mode stream|poll|background|default | api responses|chat_completions|default | server URL|default | language en|ko|auto | retention DAYS|off | tutor … | prompts … | channel … | history | rollback N",
    "config.bad_mode": "Choose an answer mode: stream (the answer appears as it is written), poll (it appears when complete; suits long jobs), background (streamed, and resumed after a restart), or default (the bot's setting).",
    "config.bad_retention": "Give the retention period in days (e.g. config retention 90), or off to keep conversations until people reset or forget them.",
    "config.retention.days": "idle conversations deleted after {n} days",
    "config.retention.none": "kept until reset or forgotten",
    "forget.confirm": "This deletes everything I keep about you on this platform: your conversations with me (here and on OpenAI: the conversations, the files you attached, their search indexes and code containers) and the records of your messages. It cannot be undone. To go ahead, send {p}forget confirm.",
    "forget.confirm@discord": "This deletes everything I keep about you on Discord: your conversations with me (here and on OpenAI: the conversations, the files you attached, their search indexes and code containers) and the records of your messages. It cannot be undone. To go ahead, run {p}forget confirm:True.",
    "forget.busy": "An answer of yours is still in progress or queued; wait for it (or {p}stop it), then forget.",
    "forget.done": "Done: I deleted {n} conversation(s) and everything that belonged to them, here and on OpenAI. I no longer remember you.",
    "export.done": "Your history on this platform is in the attached file ({n} conversation(s)).",
    "export.empty": "I keep no conversations of yours on this platform.",
    "config.tutor.usage": "Usage: config [channel] tutor hints|socratic|exam [HH:MM-HH:MM …] [TIME_ZONE] | off | default. hints: hints and next steps, no full solutions; socratic: guiding questions; exam: no solutions or hints at all. With time windows it applies only then (daily, UTC unless a time zone such as Asia/Seoul follows).",
    "config.tutor.saved": "Saved: tutor policy for {scope} is now {policy}.",
    "config.tutor.inherit": "the workspace's (none of its own)",
    "config.tutor.inherit@discord": "the server's (none of its own)",
    "tutor.withheld": "I held back that answer: it looked like a full solution ({reason}), which the tutor mode here ({preset}) does not allow. Ask me for a hint or the next step instead.",
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
    "quota.usage": "Usage: quota [channel] messages N | tokens N | off; quota role ROLE messages N | tokens N | off; quota show",
    "quota.exceeded.shared": "You've reached today's limit of {limit} set by {server}, a server you share with me: direct messages count against its quota. It resets in {resets} (at 00:00 UTC); your message is kept, so send {p}retry then to get the answer.",
    "quota.left.messages": "{n} of {of} messages left",
    "quota.left.tokens": "{n} of {of} tokens left",
    "quota.mine": "Today here: {left}.",
    "quota.mine.shared": "Today in {server} (your direct messages count against it): {left}.",
    "quota.mine.none": "No daily limit applies to you here ({messages} message(s) today).",
    "quota.mine.resets": "The day resets in {resets} (00:00 UTC).",
    "quota.role.saved": "Daily limit per person with role {role}: {limits} (it replaces the workspace's and channels' limits for them; with several roles, the most generous applies).",
    "quota.role.saved@discord": "Daily limit per person with role {role}: {limits} (it replaces the server's and channels' limits for them; with several roles, the most generous applies).",
    "quota.role.off": "Role {role} has no limit of its own any more.",
    "quota.show.workspace": "Whole workspace: {limits}",
    "quota.show.workspace@discord": "Whole server: {limits}",
    "quota.show.channel": "This channel: {limits}",
    "quota.show.role": "Role {role}: {limits}",
    "quota.show.inherit": "follows the workspace",
    "quota.show.inherit@discord": "follows the server",
    # Knowledge base.
    "kb.attach": "Attach the files to add: documents to search (PDF, DOCX, PPTX, MD, TXT, HTML) or data files for Python (CSV, TSV, XLSX, XLS, JSON).",
    "kb.not_document": "{name}: neither a document type I can search nor a data file type I can analyse.",
    "kb.too_large": "{name} is too large (the limit is {limit}).",
    "kb.failed": "{name}: could not be read for searching ({reason}).",
    "kb.added": "{name}: added to the knowledge base of {scope}.",
    "kb.added_data": "{name}: added as a data file of {scope}; every conversation here gets it for analysis with Python.",
    "kb.replaced_data": "{name}: replaced the data file of the same name of {scope}.",
    "kb.data_needs_code": "Note: code_interpreter is off here, so the data files are not used until it is on (config tools on code_interpreter).",
    "kb.data_tag": "data file",
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
    "status.web_search": "Searching the web…",
    "status.image": "Creating an image…",
    "status.working": "Working…",
    "step.code_interpreter": "Run Python code",
    "step.file_search": "Search documents",
    "step.file_search.named": "Search documents: {name}",
    "step.function": "Call a function",
    "step.function.named": "Call {name}",
    "step.web_search": "Search the web",
    "step.web_search.named": "Search the web: {name}",
    "step.mcp": "Use a connected tool",
    "step.mcp.named": "Use {name}",
    "step.image_generation": "Generate an image",
    "step.reasoning": "Thinking",
    "step.other": "Use a tool",
    "steps.kind.code_interpreter": "code",
    "steps.kind.file_search": "document search",
    "steps.kind.function": "function",
    "steps.kind.web_search": "web search",
    "steps.kind.mcp": "connected tool",
    "steps.kind.image_generation": "image",
    "steps.kind.other": "tool",
    "steps.summary": "Steps ({n}): {kinds}",
    "steps.sources": "sources: {n}",
    "steps.failed": "{n} failed",
    "steps.more_sources": "+{n} more",
    "answer.empty_message": "Send me a question, or attach a file I can read.",
    "answer.interrupted": "This answer was interrupted by a restart. Send {p}retry to ask again.",
    "answer.cut_short": "The answer was cut short by {reason}.",
    "answer.cut_short.length": "the length limit",
    "answer.cut_short.other": "a limit",
    "answer.round_limit": "I stopped here: the model kept asking to call functions ({n} requests for this question). Please ask again, more specifically.",
    "answer.quota_reached": "I stopped here: this answer took you to today's limit of {limit} here. It resets in {resets} (at 00:00 UTC).",
    "answer.stopped": "The answer was stopped.",
    "answer.continued_here": "⏱️ {user}, this answer ran past the 15 minutes Discord lets a command's reply be edited, so it continues here.",
    "answer.sources": "Sources",
    "answer.files_only": "Attached: {names}",
    "answer.web_sources": "Sources from the web",
    "answer.tools_unavailable": "Not available with this assistant's model server (Chat Completions): {tools}. This answer is without them.",
    "tool.web_search": "web search",
    "tool.image_generation": "image generation",
    "image.unreadable": "The generated image came back unreadable, so it is not shown.",
    "image.not_made": "The image could not be generated.",
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
