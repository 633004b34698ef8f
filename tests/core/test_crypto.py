import base64
import hashlib
import hmac

import pytest

from core.crypto import CROCKFORD, PROFILES, FieldCipher, TokenError, hash_secret, keys_from_setting, verify_secret

ID_NUMBER = "51082319850612341X"
KEY_1 = "k1-material-0123456789abcdefghijklmnop"
KEY_2 = b"\x02" * 32
LOOKUP_KEY = "lookup-material-0123456789abcdefghij"


@pytest.fixture(params=["aes", "sm"])
def profile(request):
    return request.param


@pytest.fixture
def make_cipher(profile):
    def make(keys=None, current="k1", hmac_key=LOOKUP_KEY, profile=profile):
        return FieldCipher(profile, keys or {"k1": KEY_1}, current, hmac_key=hmac_key)

    return make


def _body(token):
    text = token.rsplit(":", 1)[1]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("plaintext", [ID_NUMBER, "6217 0000 1234 5678 901", "欧阳·娜娜", ""])
def test_round_trip(make_cipher, profile, plaintext):
    cipher = make_cipher()
    token = cipher.encrypt(plaintext)
    assert token.startswith(f"v1:{profile}:k1:")
    assert cipher.decrypt(token) == plaintext


def test_bytes_round_trip_through_rotation(make_cipher, profile):
    data = "村代码,身份证号\n".encode("gbk") + bytes(range(256))  # a staged upload: any bytes at all
    token = make_cipher().encrypt_bytes(data)
    assert token.startswith(f"v1:{profile}:k1:") and "身份证号".encode("gbk") not in _body(token)
    assert make_cipher(keys={"k1": KEY_1, "k2": KEY_2}, current="k2").decrypt_bytes(token) == data


def test_nonce_is_random_and_96_bits(make_cipher):
    cipher = make_cipher()
    first, second = cipher.encrypt(ID_NUMBER), cipher.encrypt(ID_NUMBER)
    assert first != second
    assert _body(first)[:12] != _body(second)[:12]
    assert len(_body(first)) == 12 + len(ID_NUMBER) + 16  # nonce + ciphertext + GCM tag


def test_token_never_contains_the_plaintext(make_cipher):
    token = make_cipher().encrypt(ID_NUMBER)
    assert ID_NUMBER not in token
    assert ID_NUMBER[-6:] not in token
    assert ID_NUMBER.encode() not in _body(token)
    assert base64.urlsafe_b64encode(ID_NUMBER.encode()).decode()[:8] not in token


def test_old_key_still_decrypts_after_rotation(make_cipher):
    old_token = make_cipher().encrypt(ID_NUMBER)
    rotated = make_cipher(keys={"k1": KEY_1, "k2": KEY_2}, current="k2")
    assert rotated.decrypt(old_token) == ID_NUMBER
    assert rotated.needs_rotation(old_token)
    new_token = rotated.rotate(old_token)
    assert new_token.split(":")[2] == "k2"
    assert not rotated.needs_rotation(new_token)
    assert rotated.rotate(new_token) == new_token
    retired = make_cipher(keys={"k2": KEY_2}, current="k2")
    assert retired.decrypt(new_token) == ID_NUMBER
    with pytest.raises(TokenError, match="not configured"):
        retired.decrypt(old_token)


def test_switching_profile_keeps_old_tokens_readable():
    aes = FieldCipher("aes", {"k1": KEY_1}, "k1", hmac_key=LOOKUP_KEY)
    sm = FieldCipher("sm", {"k1": KEY_1}, "k1", hmac_key=LOOKUP_KEY)
    token = aes.encrypt(ID_NUMBER)
    assert sm.decrypt(token) == ID_NUMBER
    assert sm.needs_rotation(token)
    assert sm.rotate(token).startswith("v1:sm:k1:")


def test_tampered_ciphertext_is_rejected(make_cipher):
    cipher = make_cipher()
    token = cipher.encrypt(ID_NUMBER)
    body = bytearray(_body(token))
    body[14] ^= 0x01
    forged = token.rsplit(":", 1)[0] + ":" + base64.urlsafe_b64encode(bytes(body)).decode().rstrip("=")
    with pytest.raises(TokenError, match="tampered"):
        cipher.decrypt(forged)


def test_relabelled_header_is_rejected(make_cipher):
    # Both keys configured with the same material: only the authenticated header tells them apart.
    cipher = make_cipher(keys={"k1": KEY_1, "k2": KEY_1})
    token = cipher.encrypt(ID_NUMBER)
    with pytest.raises(TokenError, match="tampered"):
        cipher.decrypt(token.replace(":k1:", ":k2:", 1))


@pytest.mark.parametrize(
    "garbage",
    ["", "v1:aes:k1", "v2:aes:k1:AAAA", "v1:rsa:k1:AAAA", "v1:aes:k1:AAAA", "v1:aes:k1:*not*base64*" + "A" * 40],
)
def test_malformed_tokens_raise_token_error(make_cipher, garbage):
    cipher = make_cipher()
    with pytest.raises(TokenError):
        cipher.decrypt(garbage)


def test_lookup_hash_is_deterministic_and_normalised(make_cipher):
    cipher = make_cipher()
    expected = cipher.lookup_hash(ID_NUMBER)
    assert len(expected) == 64 and int(expected, 16) >= 0
    assert cipher.lookup_hash(ID_NUMBER.lower()) == expected  # x / X
    assert cipher.lookup_hash(f"  {ID_NUMBER}\n") == expected
    fullwidth = ID_NUMBER[:-1].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}) + "ｘ"
    assert cipher.lookup_hash(fullwidth) == expected  # 全角 from a phone keyboard
    assert cipher.lookup_hash("510823198506123410") != expected


def test_lookup_hash_is_stable_across_encryption_key_rotation(make_cipher):
    before = make_cipher()
    after = make_cipher(keys={"k1": KEY_1, "k2": KEY_2}, current="k2")
    assert before.lookup_hash(ID_NUMBER) == after.lookup_hash(ID_NUMBER)
    assert before.public_ref(ID_NUMBER) == after.public_ref(ID_NUMBER)


def test_lookup_hash_differs_between_profiles_and_lookup_keys():
    hashes = {
        FieldCipher(profile, {"k1": KEY_1}, "k1", hmac_key=key).lookup_hash(ID_NUMBER)
        for profile in ("aes", "sm")
        for key in (LOOKUP_KEY, LOOKUP_KEY + "-other")
    }
    assert len(hashes) == 4


def test_lookup_hash_is_not_a_plain_hash_of_the_value(make_cipher):
    value = ID_NUMBER.encode()
    assert make_cipher().lookup_hash(ID_NUMBER) not in {
        hashlib.sha256(value).hexdigest(),
        hashlib.new("sm3", value).hexdigest(),
    }


def test_public_ref_is_short_stable_and_opaque(make_cipher):
    cipher = make_cipher()
    ref = cipher.public_ref(ID_NUMBER)
    assert len(ref) == 8 and set(ref) <= set(CROCKFORD)
    assert cipher.public_ref(ID_NUMBER.lower()) == ref
    assert make_cipher().public_ref(ID_NUMBER) == ref
    assert ref != cipher.lookup_hash(ID_NUMBER)[:8].upper()  # its own derived key
    assert make_cipher(hmac_key=LOOKUP_KEY + "-other").public_ref(ID_NUMBER) != ref


def test_public_ref_carries_no_digits_of_the_id(make_cipher):
    cipher = make_cipher()
    ids = [
        f"5108231985{month:02d}{day:02d}{seq:03d}X"
        for month in (1, 6, 12)
        for day in (1, 15, 28)
        for seq in (1, 234, 999)
    ]
    refs = {number: cipher.public_ref(number) for number in ids}
    assert len(set(refs.values())) == len(ids)
    for number, ref in refs.items():
        windows = {number[i : i + 3] for i in range(len(number) - 2)}
        assert not any(window in ref for window in windows), (number, ref)


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="unknown crypto profile"):
        FieldCipher("des", {"k1": KEY_1}, "k1", hmac_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        FieldCipher("aes", {"k1": "short"}, "k1", hmac_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        FieldCipher("aes", {"k1": KEY_1}, "k1", hmac_key="short")
    with pytest.raises(ValueError, match="not among"):
        FieldCipher("aes", {"k1": KEY_1}, "k2", hmac_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="key ids"):
        FieldCipher("aes", {"k:1": KEY_1}, "k:1", hmac_key=LOOKUP_KEY)


def test_keys_from_setting():
    assert keys_from_setting("bare-material") == ({"k1": "bare-material"}, "k1")
    assert keys_from_setting("k2:new, k1:old") == ({"k2": "new", "k1": "old"}, "k2")
    with pytest.raises(ValueError):
        keys_from_setting("k2:new,old")
    with pytest.raises(ValueError):
        keys_from_setting("k1:a,k1:b")


# Known answers: the primitives behind each profile against published vectors.


def test_sm4_gcm_known_answer_rfc8998():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    expected = bytes.fromhex(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )  # ciphertext then tag
    sealed = PROFILES["sm"].seal(key, nonce, plaintext, aad)
    assert sealed == expected
    assert PROFILES["sm"].open(key, nonce, sealed, aad) == plaintext


def test_aes_256_gcm_known_answer_gcm_spec_case_14():
    sealed = PROFILES["aes"].seal(bytes(32), bytes(12), bytes(16), b"")
    assert sealed.hex() == "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"


def test_hmac_sm3_known_answer_gmt_0042_appendix_d3():
    mac = PROFILES["sm"].mac(bytes(range(1, 0x26)), b"\xcd" * 50)
    assert mac.hex() == "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae"


def test_hmac_sm3_matches_an_independent_implementation():
    if "sm3" not in hashlib.algorithms_available:
        pytest.skip("hashlib/OpenSSL offers no sm3 to compare against")
    key, data = b"\x0b" * 20, "青川县坝店村".encode()
    assert PROFILES["sm"].mac(key, data) == hmac.new(key, data, "sm3").digest()


def test_hmac_sha256_known_answer_rfc4231_case_2():
    mac = PROFILES["aes"].mac(b"Jefe", b"what do ya want for nothing?")
    assert mac.hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


# Tracking secrets for complaints.

TRACKING_KEY = b"t" * 32


def test_hash_secret_is_hmac_sha256():
    stored = hash_secret("7KQ2-M9XA-4TBD", TRACKING_KEY)
    assert stored == hmac.new(TRACKING_KEY, b"7KQ2-M9XA-4TBD", hashlib.sha256).hexdigest()


def test_verify_secret():
    stored = hash_secret("7KQ2-M9XA-4TBD", TRACKING_KEY)
    assert verify_secret("7KQ2-M9XA-4TBD", stored, TRACKING_KEY)
    assert verify_secret(" 7KQ2-M9XA-4TBD\n", stored.upper(), TRACKING_KEY)
    assert not verify_secret("7KQ2-M9XA-4TBE", stored, TRACKING_KEY)
    assert not verify_secret("7KQ2-M9XA-4TBD", stored, b"u" * 32)
    assert not verify_secret("7KQ2-M9XA-4TBD", "", TRACKING_KEY)
    assert not verify_secret("7KQ2-M9XA-4TBD", "密钥", TRACKING_KEY)
