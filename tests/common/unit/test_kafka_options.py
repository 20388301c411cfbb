"""Kafka TLS/SASL settings reach every client: the options helper, the settings rules, and a source guard."""

from __future__ import annotations

import ast
import datetime as dt
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from faststream.security import BaseSecurity, SASLScram512
from pydantic import ValidationError

from common.kafka import broker_options, kafka_client_options
from common.settings import KafkaSettings

SERVICES = Path(__file__).resolve().parents[3] / "services"
# Constructors of Kafka clients, and the helper each must take its connection from.
CLIENTS = {
    "AIOKafkaProducer": "kafka_client_options",
    "AIOKafkaConsumer": "kafka_client_options",
    "AIOKafkaAdminClient": "kafka_client_options",
    "KafkaBroker": "broker_options",
}


def _scram(**extra: Any) -> KafkaSettings:
    return KafkaSettings(
        kafka_bootstrap_servers="kafka-0.example:9096",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="registry",
        kafka_sasl_password="s3cret",
        **extra,
    )


def _self_signed_ca(directory: Path) -> Path:
    """A throw-away CA certificate in PEM, as a managed cluster's CA file would be."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "regio test CA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "ca.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_a_bare_bootstrap_string_means_plaintext() -> None:
    assert kafka_client_options("127.0.0.1:9092") == {"bootstrap_servers": "127.0.0.1:9092"}
    assert broker_options("127.0.0.1:9092") == {"bootstrap_servers": "127.0.0.1:9092"}


def test_sasl_over_tls_gives_credentials_and_a_context_trusting_the_given_ca(tmp_path: Path) -> None:
    settings = _scram(kafka_ssl_cafile=_self_signed_ca(tmp_path))
    options = kafka_client_options(settings)
    context = options.pop("ssl_context")
    assert options == {
        "bootstrap_servers": "kafka-0.example:9096",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "registry",
        "sasl_plain_password": "s3cret",
    }
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert [ca["subject"] for ca in context.get_ca_certs()] == [((("commonName", "regio test CA"),),)]


def test_the_broker_gets_the_same_connection_as_faststream_security(tmp_path: Path) -> None:
    security = broker_options(_scram(kafka_ssl_cafile=_self_signed_ca(tmp_path)))["security"]
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password, security.use_ssl) == ("registry", "s3cret", True)
    assert isinstance(security.ssl_context, ssl.SSLContext)
    tls_only = broker_options(KafkaSettings(kafka_security_protocol="SSL"))["security"]
    assert type(tls_only) is BaseSecurity
    assert tls_only.use_ssl


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "PLAIN"}, "needs KAFKA_SASL_USERNAME"),
        ({"kafka_sasl_username": "someone"}, "does not use SASL"),
        ({"kafka_ssl_cafile": __file__}, "does not use TLS"),
        ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
    ],
)
def test_inconsistent_kafka_security_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KafkaSettings(**settings)  # type: ignore[arg-type]


def test_empty_optional_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compose and Helm pass unset optional settings as empty strings."""
    for name in ("KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SSL_CAFILE"):
        monkeypatch.setenv(name, "")
    assert kafka_client_options(KafkaSettings())["security_protocol"] == "PLAINTEXT"


def _unconfigured_clients(source: str) -> list[str]:
    """Lines building a Kafka client without ``**<its helper>(...)``, as ``line: constructor``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in CLIENTS:
            continue
        helpers = {
            keyword.value.func.id
            for keyword in node.keywords
            if keyword.arg is None and isinstance(keyword.value, ast.Call) and isinstance(keyword.value.func, ast.Name)
        }
        if CLIENTS[name] not in helpers:
            found.append(f"{node.lineno}: {name}")
    return found


def test_every_kafka_client_the_platform_builds_takes_the_security_settings() -> None:
    offenders = {
        str(path.relative_to(SERVICES)): lines
        for path in sorted(SERVICES.rglob("*.py"))
        if (lines := _unconfigured_clients(path.read_text()))
    }
    assert offenders == {}, "build Kafka clients with **kafka_client_options(...) / **broker_options(...)"


def test_the_guard_finds_a_client_built_without_the_helper() -> None:
    source = (
        "a = AIOKafkaProducer(bootstrap_servers=servers, acks='all')\n"
        "b = aiokafka.AIOKafkaConsumer(**kafka_client_options(settings))\n"
        "c = KafkaBroker(**kafka_client_options(settings))\n"
    )
    assert _unconfigured_clients(source) == ["1: AIOKafkaProducer", "3: KafkaBroker"]
