import re

from bot.i18n import LANGUAGES, pick_language, t


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    english = LANGUAGES["en"]
    for lang, catalogue in LANGUAGES.items():
        assert set(catalogue) == set(english), f"{lang}: missing or extra keys"
        for key, text in catalogue.items():
            assert text.strip(), f"{lang}:{key} is empty"
            names = set(re.findall(r"\{(\w+)\}", text))
            assert names == set(re.findall(r"\{(\w+)\}", english[key])), f"{lang}:{key}"


def test_language_choice() -> None:
    assert pick_language("ko", "en-US") == "ko"
    assert pick_language(None, "ko-KR") == "ko"
    assert pick_language("auto", "ko") == "ko"
    assert pick_language(None, "fr") == "en"
    assert pick_language(None, None) == "en"
    assert t("ko", "reset.done").startswith("새 대화")
    assert t("xx", "quota.limit.messages", n=5) == "5 messages"
