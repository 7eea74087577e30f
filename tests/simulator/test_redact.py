from simulator.redact import mask_secrets


def test_a_long_token_is_masked_wherever_it_appears() -> None:
    token = "s3cr3t-token-value"
    assert mask_secrets(f"Bearer {token}; echo={token}x", [token]) == "Bearer ***; echo=***x"


def test_a_short_token_is_masked_as_a_word_and_leaves_error_codes_readable() -> None:
    text = mask_secrets("WebExceptionProtocolError: token x refused", ["x"])
    assert text == "WebExceptionProtocolError: token *** refused"


def test_no_secret_leaves_text_unchanged() -> None:
    assert mask_secrets("nothing to hide", [None, ""]) == "nothing to hide"
