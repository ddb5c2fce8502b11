import logging

import pytest

from bot.logs import RedactSecrets


def test_secrets_and_token_shapes_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets(["my-signing-secret-value"]))
    try:
        with caplog.at_level(logging.INFO, logger="test.redact"):
            logger.info("key %s and %s", "sk-abcdefghijklmnop", "xoxb-1234-5678-abcdefgh")
            logger.info("secret my-signing-secret-value in text")
            try:
                raise RuntimeError("failed with xapp-1-A0123-456789-abcdef")
            except RuntimeError:
                logger.exception("boom")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "sk-abcdefghijklmnop" not in text and "xoxb-1234" not in text
    assert "my-signing-secret-value" not in text and "xapp-1-A0123" not in text
    assert text.count("[redacted]") >= 4
