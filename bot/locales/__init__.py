"""One catalogue of the bot's own words per language; keys are the same in every one."""
