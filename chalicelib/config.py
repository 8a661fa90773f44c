"""Runtime settings, read from the environment that .chalice/config.json sets per stage.

Nothing here talks to the network, so importing it costs nothing on a cold start.
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field

# Environment variable -> parameter of infra/resources.yaml that names the same resource.
RESOURCE_PARAMETERS: dict[str, str] = {
    "UPLOADS_BUCKET": "UploadsBucketName",
    "MEDIA_BUCKET": "MediaBucketName",
    "PHOTO_UPLOADS_QUEUE": "PhotoUploadsQueueName",
    "ORDER_EVENTS_QUEUE": "OrderEventsQueueName",
    "REGISTRY_TABLE": "RegistryTableName",
    "CATALOGUE_TABLE": "CatalogueTableName",
    "ORDERS_TABLE": "OrdersTableName",
    "OUTBOX_TABLE": "OutboxTableName",
    "REPORTS_TABLE": "ReportsTableName",
    "OPS_TABLE": "OpsTableName",
    "DIGEST_TOPIC": "DigestTopicName",
    "ALARMS_TOPIC": "AlarmsTopicName",
}


class Settings(BaseModel):
    """One stage's configuration; field names are the environment variable names."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    HAAT_STAGE: str = "local"
    SECRETS_PREFIX: str = "/haat/local"
    UPLOADS_BUCKET: str
    MEDIA_BUCKET: str
    PHOTO_UPLOADS_QUEUE: str
    ORDER_EVENTS_QUEUE: str
    REGISTRY_TABLE: str
    CATALOGUE_TABLE: str
    ORDERS_TABLE: str
    OUTBOX_TABLE: str
    REPORTS_TABLE: str
    OPS_TABLE: str
    DIGEST_TOPIC: str
    ALARMS_TOPIC: str
    AUTH_MODE: str = Field(default="cognito", pattern="^(cognito|local)$")
    COGNITO_USER_POOL_ID: str = ""
    COGNITO_APP_CLIENT_ID: str = ""
    MAX_UPLOAD_BYTES: int = 25 * 1024 * 1024

    @property
    def auth_signing_key_parameter(self) -> str:
        """SSM parameter holding the local stack's token signing key (local mode only)."""
        return f"{self.SECRETS_PREFIX}/auth/signing-key"


@functools.cache
def settings() -> Settings:
    """The settings of this container, read once."""
    return Settings.model_validate(dict(os.environ))
