from services.signals.access.totp import code_at, new_secret, provisioning_uri, verify

# RFC 6238, appendix B: the SHA-1 test key "12345678901234567890", 8-digit codes; these are their last 6 digits
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_codes_match_the_rfc_6238_test_vectors() -> None:
    assert code_at(RFC_SECRET, 59) == "287082"
    assert code_at(RFC_SECRET, 1111111109) == "081804"
    assert code_at(RFC_SECRET, 1234567890) == "005924"
    assert code_at(RFC_SECRET, 2000000000) == "279037"


def test_a_code_is_accepted_one_step_either_side_and_not_further() -> None:
    code = code_at(RFC_SECRET, 1_000_000)
    assert verify(RFC_SECRET, code, 1_000_000 + 29)
    assert verify(RFC_SECRET, code, 1_000_000 - 30)
    assert not verify(RFC_SECRET, code, 1_000_000 + 95)
    assert not verify(RFC_SECRET, "000000" if code != "000000" else "111111", 1_000_000)


def test_the_provisioning_uri_names_the_account_and_the_issuer_for_an_authenticator_app() -> None:
    uri = provisioning_uri(RFC_SECRET, "fatima el idrissi")
    assert uri.startswith("otpauth://totp/Redzaam:fatima%20el%20idrissi?")
    assert f"secret={RFC_SECRET}" in uri and "issuer=Redzaam" in uri


def test_a_new_secret_is_160_bits_of_base32() -> None:
    secret = new_secret()
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert secret != new_secret()
