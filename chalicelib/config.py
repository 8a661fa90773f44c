"""Runtime settings, read from the environment that .chalice/config.json sets per stage.

Nothing here talks to the network, so importing it costs nothing on a cold start.
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field

# Environment variable -> parameter of infra/resources.yaml that names the same resource. A stage
# may leave the buckets unnamed: the template then derives globally unique names and hands them to
# the functions itself, as it does the user pool's ids.
RESOURCE_PARAMETERS: dict[str, str] = {
    "UPLOADS_BUCKET": "UploadsBucketName",
    "MEDIA_BUCKET": "MediaBucketName",
    "PHOTO_UPLOADS_QUEUE": "PhotoUploadsQueueName",
    "ORDER_EVENTS_QUEUE": "OrderEventsQueueName",
    "REGISTRY_IMPORTS_QUEUE": "RegistryImportsQueueName",
    "REGISTRY_TABLE": "RegistryTableName",
    "CATALOGUE_TABLE": "CatalogueTableName",
    "ORDERS_TABLE": "OrdersTableName",
    "OUTBOX_TABLE": "OutboxTableName",
    "REPORTS_TABLE": "ReportsTableName",
    "OPS_TABLE": "OpsTableName",
    "DIGEST_TOPIC": "DigestTopicName",
    "ALARMS_TOPIC": "AlarmsTopicName",
    "USER_POOL_NAME": "UserPoolName",
}

# Other settings the template needs as parameters (its IAM policies name the secrets' paths).
SETTING_PARAMETERS: dict[str, str] = {
    "SECRETS_PREFIX": "SecretsPrefix",
    "UPLOAD_PAGE_URL": "UploadPageUrl",
    "DIGEST_SENDER": "DigestSenderEmail",
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
    REGISTRY_IMPORTS_QUEUE: str
    REGISTRY_TABLE: str
    CATALOGUE_TABLE: str
    ORDERS_TABLE: str
    OUTBOX_TABLE: str
    REPORTS_TABLE: str
    OPS_TABLE: str
    DIGEST_TOPIC: str
    ALARMS_TOPIC: str
    AUTH_MODE: str = Field(default="cognito", pattern="^(cognito|local)$")
    USER_POOL_NAME: str = ""
    COGNITO_USER_POOL_ID: str = Field(default="", description="from the template (Ref UserPool)")
    COGNITO_APP_CLIENT_ID: str = Field(default="", description="from the template (Ref UserPoolClient)")
    COGNITO_DOMAIN: str = Field(
        default="", description="hosted UI domain, e.g. haat-prod.auth.ap-south-1.amazoncognito.com"
    )
    DIGEST_SENDER: str = Field(default="", description="SES-verified From address of the digest e-mail")
    PUBLIC_API_URL: str = Field(default="", description="the API's public base URL, for links in e-mails")
    AMAZON_SELLER_ID: str = Field(
        default="",
        description="the mission's Seller Central merchant id: the header of an Amazon listings feed",
    )
    PHOTOS_BASE_URL: str = Field(
        default="",
        description="where the media bucket's photos/ renditions are public (the template's CloudFront "
        "distribution; locally the embedded S3): listings reference images by this URL plus the key",
    )
    MAX_UPLOAD_BYTES: int = 25 * 1024 * 1024
    # Channel connectors (chalicelib/connectors/): see README "Channel connectors".
    FLIPKART_API_URL: str = "https://api.flipkart.net"
    FLIPKART_ACCOUNTS: str = Field(default="", description="comma-separated seller account names")
    FLIPKART_PAGE_SIZE: int = Field(default=20, ge=1, le=20)
    FLIPKART_FIRST_RUN_LOOKBACK_HOURS: int = Field(default=72, ge=1)
    FLIPKART_CHECKPOINT_OVERLAP_SECONDS: int = Field(default=120, ge=0)
    FLIPKART_RETRY_BASE_SECONDS: float = Field(default=1.0, gt=0)
    POLL_RUN_BUDGET_SECONDS: float = Field(default=240.0, gt=0)
    MEESHO_DISPATCH_CUTOFF_IST: str = Field(default="17:30", pattern=r"^\d{2}:\d{2}$")

    @property
    def flipkart_accounts(self) -> list[str]:
        """The Flipkart seller accounts to poll, in order."""
        return [name.strip() for name in self.FLIPKART_ACCOUNTS.split(",") if name.strip()]

    def flipkart_secret_name(self, account: str) -> str:
        """Secrets Manager name of a seller account's API credentials (JSON: client_id, client_secret)."""
        return f"{self.SECRETS_PREFIX}/flipkart/{account}"

    WEBHOOK_MAX_BYTES: int = 200 * 1024  # SQS takes 256 KiB per message, attributes included
    WEBHOOK_REPLAY_WINDOW_SECONDS: int = 300
    SMS_SENDER_ID: str = Field(default="JKRLMH", pattern=r"^[A-Z]{3,6}$", description="DLT header")
    SMS_ENTITY_ID: str = Field(default="1101000000000000000", description="DLT principal entity id")
    SMS_TEMPLATE_IDS: str = Field(default="{}", description='JSON {"new_order.hi": "<DLT id>", ...}')
    # One Publish attempt per SMS (chalicelib/aws.py); worst case per invocation: one read timeout.
    SMS_CONNECT_TIMEOUT_SECONDS: float = Field(default=2.0, gt=0, le=10)
    SMS_READ_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=15)

    @property
    def auth_signing_key_parameter(self) -> str:
        """SSM parameter holding the local stack's token signing key (local mode only)."""
        return f"{self.SECRETS_PREFIX}/auth/signing-key"

    def haat_outlet_secret_parameter(self, outlet_id: str) -> str:
        """SSM SecureString with the HMAC secret of one mission outlet (district Haat, counter, mela)."""
        return f"{self.SECRETS_PREFIX}/webhooks/haat/{outlet_id}"

    def ondc_public_key_parameter(self, subscriber_id: str, unique_key_id: str) -> str:
        """SSM parameter with the base64 ed25519 signing public key of an ONDC network participant."""
        return f"{self.SECRETS_PREFIX}/ondc/registry/{subscriber_id}/{unique_key_id}"


@functools.cache
def settings() -> Settings:
    """The settings of this container, read once."""
    return Settings.model_validate(dict(os.environ))
