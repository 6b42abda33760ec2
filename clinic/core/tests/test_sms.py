"""The SMS backends; the Twilio one against a local server standing in for the provider."""

import pytest

from clinic.core import sms
from clinic.core.tests.fake_sms_provider import fake_twilio, twilio_settings


@pytest.fixture
def provider(settings):
    with fake_twilio() as fake, twilio_settings(settings, fake):
        yield fake


def test_the_twilio_backend_posts_the_message_and_returns_the_providers_id(provider):
    sent = sms.send_sms("+16175550142", "You have a new message from the clinic.")
    assert provider.received == [
        {
            "To": "+16175550142",
            "From": "+16175550199",
            "Body": "You have a new message from the clinic.",
        }
    ]
    assert sent.provider_id.startswith("SM")


def test_a_provider_that_is_down_raises_an_sms_error(provider):
    provider.mode = "down"
    with pytest.raises(sms.SmsError, match="HTTP 500"):
        sms.send_sms("+16175550142", "Hello")


def test_a_refused_number_says_why(provider):
    provider.mode = "refuse"
    with pytest.raises(sms.SmsError, match="not a valid phone number"):
        sms.send_sms("+16175550142", "Hello")


def test_wrong_credentials_are_refused(provider, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(sms.SmsError, match="HTTP 401"):
        sms.send_sms("+16175550142", "Hello")


def test_an_unreachable_provider_raises_an_sms_error(settings):
    with fake_twilio() as fake, twilio_settings(settings, fake):
        url = fake.url
    settings.TWILIO_API_BASE_URL = url  # the server is closed now
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.send_sms("+16175550142", "Hello")


def test_twilio_without_credentials_is_refused_clearly(settings):
    settings.SMS_BACKEND = "clinic.core.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(sms.SmsError, match="TWILIO_ACCOUNT_SID"):
        sms.send_sms("+16175550142", "Hello")


def test_the_console_backend_sends_nothing_and_logs(settings, caplog):
    settings.SMS_BACKEND = "clinic.core.sms.ConsoleBackend"
    caplog.set_level("INFO", logger="clinic.core.sms")
    assert sms.send_sms("+16175550142", "Hello").provider_id == "console"
    assert "+16175550142" in caplog.text


def test_the_webhook_signature_follows_twilios_scheme():
    # The known-answer vector of Twilio's own request validator tests (token "12345").
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sms.twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize("body", ["STOP", " stop ", "Unsubscribe", "QUIT"])
def test_stop_words_are_recognised(body):
    assert sms.is_stop_word(body)


@pytest.mark.parametrize("body", ["please stop texting at night", "START", ""])
def test_other_texts_are_not_an_opt_out(body):
    assert not sms.is_stop_word(body)
