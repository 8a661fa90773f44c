"""The artifact mission IT deploys, run as Lambda runs it.

`python -m haat_tools.cli package --stage prod` builds deployment.zip and sam.yaml; the zip is
unzipped into a task root and every function the template declares is imported and invoked by a
fresh Python 3.11 whose only packages are the Lambda runtime's own (boto3/botocore), with real
event shapes, against this session's local stack. Nothing of the dev venv is on that interpreter's
path, so a dependency missing from requirements.txt fails here whatever the dev venv has.
"""

from __future__ import annotations

import ast
import functools
import io
import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
from packaging.requirements import Requirement

from chalicelib import aws
from chalicelib.auth import Principal, Role
from chalicelib.catalogue import repository as catalogue
from chalicelib.config import RESOURCE_PARAMETERS, SETTING_PARAMETERS, settings
from chalicelib.notify import outbox
from chalicelib.orders import repository as orders
from chalicelib.registry import repository as registry
from chalicelib.registry.imports import service as registry_imports
from chalicelib.registry.models import SHG, CraftCategory, Product
from haat_tools import webhook_client
from haat_tools.cli import main
from haat_tools.cli.users import user_pool_id
from haat_tools.deploy import load_template
from haat_tools.local import demo, flipkart_standin, runner, session, stack
from tests import photo_corpus
from tests.notify.helpers import queued_reminder
from tests.orders.helpers import amazon_change, haat_bill, haat_order_id
from tests.test_users import cognito_id_token

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# One photo per decoder, colour path and refusal the packaged libraries must handle (the verdict
# rules themselves are tested in test_photos.py, in the dev venv).
PHOTO_CASES = (
    "good",
    "heic",
    "webp",
    "icc_linear_rgb",
    "cmyk",
    "png_16_bit",
    "transparent_png",
    "animated_gif",
    "phone_mpo",
    "bmp",
    "truncated",
    "decompression_bomb",
)
UNZIPPED_LIMIT_BYTES = 40 * 1000 * 1000
# The Lambda python3.11 runtime (Amazon Linux 2): its glibc and libstdc++, and the libraries every
# image of it has. A native library in the zip may link against these, or against what the zip ships.
LAMBDA_GLIBC = (2, 26)
LAMBDA_GLIBCXX = (3, 4, 24)
LAMBDA_SYSTEM_LIBRARIES = {
    "ld-linux-x86-64.so.2",
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libnsl.so.1",
    "libcrypt.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libz.so.1",
}
# Top-level names in deployment.zip that would mean tooling or tests had shipped.
PROJECT_TOOLING = {"haat_tools", "tests", "bench", "samples", "events", "infra", "docs", ".chalice", "build"}
# Chalice vendors its runtime (app.py) only; anything else of it is the CLI.
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py"}


# --- The artifact --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    out: Path
    zip_path: Path
    template: dict[str, Any]
    output: str

    def functions(self) -> dict[str, dict[str, Any]]:
        """Chalice function name -> its AWS::Serverless::Function resource (with logical id)."""
        found = {}
        for logical_id, resource in self.template["Resources"].items():
            if resource.get("Type") == "AWS::Serverless::Function":
                name = resource["Properties"]["FunctionName"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
                found[name] = {"logical_id": logical_id, **resource["Properties"]}
        return found


@pytest.fixture(scope="session")
def prod_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`make package STAGE=prod`, through the project's own command, once per session."""
    out = tmp_path_factory.mktemp("package") / "prod"
    result = subprocess.run(
        [sys.executable, "-m", "haat_tools.cli", "package", "--stage", "prod", "--out", str(out)],
        cwd=stack.PROJECT_DIR,
        env={**os.environ, "AWS_DEFAULT_REGION": stack.REGION},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Build(out, out / "deployment.zip", load_template(out / "sam.yaml"), result.stdout)


@pytest.fixture(scope="session")
def task_root(prod_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deployment.zip unzipped, as Lambda unzips it into /var/task."""
    root = tmp_path_factory.mktemp("var-task")
    with zipfile.ZipFile(prod_build.zip_path) as archive:
        archive.extractall(root)
    return root


def _dev_pin(name: str) -> str:
    """The version requirements-dev.txt pins (boto3 is pinned there as the runtime's)."""
    for line in (stack.PROJECT_DIR / "requirements-dev.txt").read_text().splitlines():
        if line.strip() and not line.startswith(("#", "-")) and Requirement(line).name == name:
            return line.strip()
    return f"{name}=={metadata.version(name)}"


@pytest.fixture(scope="session")
def lambda_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python 3.11 holding only what the Lambda python3.11 runtime provides: boto3 and botocore.

    Built once per session, without pip in it (pip installs into it from outside; its cache
    makes this a few seconds)."""
    venv = tmp_path_factory.mktemp("lambda-runtime") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            _dev_pin("boto3"),
            f"botocore=={metadata.version('botocore')}",
        ],
        check=True,
    )
    return python


# --- Invoking a function as Lambda does ---------------------------------------------------------


@dataclass
class Invocation:
    """One process of a function: what each event returned (or raised), and what it printed."""

    function: str
    results: list[dict[str, Any]] = field(default_factory=list)
    printed: str = ""
    modules: list[str] = field(default_factory=list)

    @property
    def responses(self) -> list[Any]:
        """What each event returned; every one of them must have returned."""
        for result in self.results:
            assert "error" not in result, f"{self.function} raised:\n" + "".join(
                result["error"]["stackTrace"]
            )
        return [result["response"] for result in self.results]


@dataclass
class Runtime:
    """Runs one function of the built template in its own process (one cold start, then warm)."""

    build: Build
    task_root: Path
    python: Path
    local_aws: stack.LocalAws
    references: dict[str, str]
    work: Path

    def environment(self, function: str, overrides: dict[str, str]) -> dict[str, str]:
        spec = self.build.functions()[function]
        env: dict[str, str] = {}
        global_env = self.build.template["Globals"]["Function"]["Environment"]["Variables"]
        for source in (global_env, spec["Environment"]["Variables"]):
            env |= {name: self._resolve(value) for name, value in source.items()}
        # The prod stage's settings, pointed at the local stack's resources and secrets.
        for variable in RESOURCE_PARAMETERS | SETTING_PARAMETERS:
            if variable in self.local_aws.environment:
                env[variable] = self.local_aws.environment[variable]
        name = f"haat-prod-{function}"
        return {
            "PATH": os.environ["PATH"],
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            **env,
            **{k: v for k, v in self.local_aws.environment.items() if k.startswith("AWS_")},
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec["MemorySize"]),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"2026/11/30/[$LATEST]{uuid.uuid4().hex}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "LAMBDA_TASK_ROOT": str(self.task_root),
            **overrides,
        }

    def _resolve(self, value: Any) -> str:
        """A template value as CloudFormation would resolve it for the local stack."""
        if isinstance(value, str):
            return value
        if set(value) == {"Fn::Sub"}:
            text = str(value["Fn::Sub"])
            for name, resolved in {**self.references, "AWS::Region": stack.REGION}.items():
                text = text.replace("${" + name + "}", resolved)
            assert "${" not in text, f"the test does not know how to resolve {value}"
            return text
        assert set(value) == {"Ref"}, f"the test does not know how to resolve {value}"
        return self.references[value["Ref"]]

    def invoke(self, function: str, events: list[Any], **overrides: str) -> Invocation:
        spec = self.build.functions()[function]
        assert spec["Runtime"] == "python3.11"
        results = self.work / f"{function}-{uuid.uuid4().hex[:6]}.json"
        run = subprocess.run(
            [
                str(self.python),
                "-I",
                str(BOOTSTRAP),
                str(self.task_root),
                spec["Handler"],
                str(spec["Timeout"]),
                str(results),
            ],
            input=json.dumps(events),
            env=self.environment(function, overrides),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        printed = run.stdout + run.stderr
        assert run.returncode == 0, printed
        report = json.loads(results.read_text())
        assert "init_error" not in report, f"{function} failed to start:\n" + "".join(
            report["init_error"]["stackTrace"]
        )
        assert len(report["results"]) == len(events)
        return Invocation(function, report["results"], printed, report["modules"])


@pytest.fixture(scope="module")
def lambda_runtime(
    prod_build: Build,
    task_root: Path,
    lambda_python: Path,
    local_aws: stack.LocalAws,
    tmp_path_factory: pytest.TempPathFactory,
) -> Runtime:
    cognito = aws.client("cognito-idp")
    pool_id = user_pool_id()
    [client] = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
    references = {
        "UploadsBucket": settings().UPLOADS_BUCKET,
        "MediaBucket": settings().MEDIA_BUCKET,
        "UserPool": pool_id,
        "UserPoolClient": client["ClientId"],
        "UserPoolDomain": f"haat-prod-{runner.ACCOUNT_ID}",
        "PhotosDistribution.DomainName": "d111111abcdef8.cloudfront.net",
    }
    return Runtime(
        prod_build, task_root, lambda_python, local_aws, references, tmp_path_factory.mktemp("runs")
    )


# --- What AWS would send ------------------------------------------------------------------------

API_ID = "h44tap1234"


def _method_arn(method: str, path: str) -> str:
    return f"arn:aws:execute-api:{stack.REGION}:{runner.ACCOUNT_ID}:{API_ID}/api/{method}{path}"


def api_gateway_event(
    method: str,
    resource: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the api_handler function receives it."""
    headers = {"Host": f"{API_ID}.execute-api.{stack.REGION}.amazonaws.com", **(headers or {})}
    context: dict[str, Any] = {
        "resourcePath": resource,
        "httpMethod": method,
        "path": f"/api{path}",
        "stage": "api",
        "requestId": str(uuid.uuid4()),
        "accountId": runner.ACCOUNT_ID,
        "apiId": API_ID,
        "identity": {"sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"},
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": context,
        "body": body.decode() if body is not None else None,
        "isBase64Encoded": False,
    }


def _collect(
    queue_setting: str, wanted: Callable[[dict[str, Any]], bool], count: int
) -> list[dict[str, Any]]:
    """Receive `count` messages that `wanted` picks from a queue; others go back at once."""
    sqs = aws.client("sqs")
    url = aws.queue_url(getattr(settings(), queue_setting))
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
        ).get("Messages", []):
            if wanted(message):
                found.append(message)
            else:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    assert len(found) == count, f"{len(found)} of {count} messages arrived on {queue_setting}"
    return found


def _acknowledge(queue_setting: str, messages: list[dict[str, Any]], failures: list[dict[str, str]]) -> None:
    """What Lambda's event source mapping does after a batch: delete all but the reported failures."""
    failed = {f["itemIdentifier"] for f in failures}
    url = aws.queue_url(getattr(settings(), queue_setting))
    for message in messages:
        if message["MessageId"] not in failed:
            aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# --- One day of the deployed stack, every function invoked --------------------------------------


@dataclass
class Day:
    unique: str
    runs: dict[str, Invocation] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def _sign_in_district_coordinator(
    local_aws: stack.LocalAws, api_url: str, unique: str, tmp: Path
) -> tuple[str, str]:
    """`users add` as mission IT runs it, then her first sign-in through the app client."""
    email = f"budgam-{unique}@jkrlm.example"
    os.environ["HAAT_LOCAL_STATE"] = str(tmp / "local-stack.json")
    try:
        session.write_state(local_aws.endpoint, api_url)
        result = CliRunner().invoke(
            main, ["users", "add", "--role", "district_coordinator", "--district", "Budgam", "--email", email]
        )
    finally:
        del os.environ["HAAT_LOCAL_STATE"]
    assert result.exit_code == 0, result.output
    return email, cognito_id_token(email)


@functools.cache
def photo_cases() -> list[photo_corpus.Case]:
    return [case for case in photo_corpus.corpus() if case.name in PHOTO_CASES]


def _register_corpus_products(unique: str) -> tuple[SHG, dict[str, str]]:
    shg = SHG(
        shg_id=f"SHG-pkg-{unique}",
        name="Package test SHG",
        district="Srinagar",
        block="Harwan",
        village="Dara",
    )
    registry.put_shg(shg)
    products = {}
    for case in photo_cases():
        product = Product(
            product_id=f"P-pkg-{unique}-{case.name.replace('_', '-')}",
            shg_id=shg.shg_id,
            sku=f"PKG-{unique}-{case.name.replace('_', '-')}",
            craft=CraftCategory.PASHMINA_SHAWL,
            title="Package test shawl",
            price_paise=450000,
        )
        registry.put_product(product, shg)
        products[case.name] = product.product_id
    return shg, products


@pytest.fixture(scope="module")
def day(
    lambda_runtime: Runtime, local_aws: stack.LocalAws, api_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Day:
    """Every declared function invoked from the built zip, in the order a day's events reach them."""
    unique = uuid.uuid4().hex[:8]
    run = Day(unique)
    demo.seed_registry()
    invoke = lambda_runtime.invoke

    # bearer_token: a TOKEN authorizer event carrying the Cognito id token of a user `users add` made.
    email, id_token = _sign_in_district_coordinator(
        local_aws, api_url, unique, tmp_path_factory.mktemp("cli")
    )
    run.details["email"] = email
    arn = _method_arn("GET", "/whoami")
    run.runs["bearer_token"] = invoke(
        "bearer_token",
        [
            {"type": "TOKEN", "authorizationToken": f"Bearer {id_token}", "methodArn": arn},
            {"type": "TOKEN", "authorizationToken": f"Bearer {id_token[:-8]}AAAAAAAA", "methodArn": arn},
        ],
    )
    allowed = run.runs["bearer_token"].results[0]["response"]

    # api_handler: the route behind the authorizer (API Gateway passes its context), an open
    # route, and a signed outlet webhook that puts an order event on the queue.
    bill = haat_bill(unique)
    body = json.dumps(bill).encode()
    signed = webhook_client.signed_headers("haat", body, bill)
    run.runs["api_handler"] = invoke(
        "api_handler",
        [
            api_gateway_event(
                "GET",
                "/whoami",
                "/whoami",
                authorizer={"principalId": allowed["principalId"], **allowed["context"]},
            ),
            api_gateway_event("GET", "/health", "/health"),
            api_gateway_event(
                "POST",
                "/webhooks/{channel}",
                "/webhooks/haat",
                body=body,
                headers=signed,
                path_parameters={"channel": "haat"},
            ),
        ],
    )

    # poll_channels: one Flipkart account whose Seller API (the stand-in) has one new shipment.
    account = settings().flipkart_accounts[0]
    flipkart_order = f"OD{int(unique, 16)}"
    fired_at = datetime.now(UTC)
    with flipkart_standin.running() as stand_in:
        client_id = stand_in.register(account)
        stand_in.add(
            client_id,
            flipkart_standin.shipment(
                f"SH-{unique}",
                flipkart_order,
                "FK-SGR-SOZ-STOLE-01",
                updated_at=fired_at - timedelta(seconds=5),
            ),
            flipkart_standin.address(),
        )
        run.runs["poll_channels"] = invoke(
            "poll_channels",
            [runner.scheduled_event("poll_channels", fired_at)],
            FLIPKART_API_URL=stand_in.url,
            FLIPKART_ACCOUNTS=account,
        )
    run.details["flipkart_order"] = flipkart_order

    # on_order_events: the webhook's message, the Flipkart poll's, an SP-API ORDER_CHANGE that
    # Amazon put on the queue itself (no attributes), and a message that is not JSON.
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), MessageBody=json.dumps(amazon_change(unique))
    )
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), MessageBody=f"{{{unique}"
    )
    messages = _collect("ORDER_EVENTS_QUEUE", lambda m: unique in m["Body"] or flipkart_order in m["Body"], 4)
    run.runs["on_order_events"] = invoke(
        "on_order_events", [runner.sqs_event(messages, settings().ORDER_EVENTS_QUEUE)]
    )
    _acknowledge(
        "ORDER_EVENTS_QUEUE", messages, run.runs["on_order_events"].responses[0]["batchItemFailures"]
    )
    run.details["malformed_message_id"] = next(m["MessageId"] for m in messages if m["Body"] == f"{{{unique}")

    # deliver_notifications: a dispatch reminder waiting in the outbox, through SNS.
    member = registry.members_of("JK-SGR-0001")[0]
    run.details["reminder_id"] = queued_reminder(member, f"408-{unique}-r").notification_id
    run.runs["deliver_notifications"] = invoke(
        "deliver_notifications", [runner.scheduled_event("deliver_notifications", datetime.now(UTC))]
    )

    # on_photo_uploaded: the whole photo corpus (JPEG, HEIC, WebP, PNG, GIF, CMYK, ICC, broken
    # files), uploaded to S3, delivered by S3's notifications in batches of the template's size.
    shg, products = _register_corpus_products(unique)
    keys = {}
    for case in photo_cases():
        key = f"uploads/{shg.shg_id}/{products[case.name]}/{case.file_name}"
        aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=case.data)
        keys[case.name] = key
    photos = _collect("PHOTO_UPLOADS_QUEUE", lambda m: shg.shg_id in m["Body"], len(keys))
    batch_size = lambda_runtime.build.template["Resources"]["OnPhotoUploaded"]["Properties"]["Events"][
        "OnPhotoUploadedSqsEventSource"
    ]["Properties"]["BatchSize"]
    batches = [photos[i : i + batch_size] for i in range(0, len(photos), batch_size)]
    run.runs["on_photo_uploaded"] = invoke(
        "on_photo_uploaded", [runner.sqs_event(batch, settings().PHOTO_UPLOADS_QUEUE) for batch in batches]
    )
    for batch, response in zip(batches, run.runs["on_photo_uploaded"].responses, strict=True):
        _acknowledge("PHOTO_UPLOADS_QUEUE", batch, response["batchItemFailures"])
    run.details["products"] = products

    # on_registry_import: a district's SHG sheet as an Excel workbook (read with the zip's defusedxml),
    # recorded as POST /imports/registry records it; its read step, then its one chunk.
    key = registry_imports.store_file(_shg_workbook(unique), "SHG_Profile.xlsx")
    importer = Principal(subject="package-test", role=Role.MISSION_ADMIN)
    record = registry_imports.start(key, importer, file_name="SHG_Profile.xlsx")
    steps = []
    for _ in ("read", "apply"):
        [message] = _collect("REGISTRY_IMPORTS_QUEUE", lambda m: record.import_id in m["Body"], 1)
        step = invoke("on_registry_import", [runner.sqs_event([message], settings().REGISTRY_IMPORTS_QUEUE)])
        _acknowledge("REGISTRY_IMPORTS_QUEUE", [message], step.responses[0]["batchItemFailures"])
        steps.append(step)
    run.runs["on_registry_import"] = Invocation(
        "on_registry_import",
        [result for step in steps for result in step.results],
        "".join(step.printed for step in steps),
        sorted({module for step in steps for module in step.modules}),
    )
    run.details["registry_import"] = record.import_id

    # The schedules.
    for function in ("dispatch_sweep", "daily_digest"):
        run.runs[function] = invoke(function, [runner.scheduled_event(function, datetime.now(UTC))])
    return run


# --- What must hold -----------------------------------------------------------------------------


def test_package_merges_resources_and_passes_cfn_lint(prod_build: Build) -> None:
    assert "cfn-lint clean" in prod_build.output
    assert "ReportBatchItemFailures" in (prod_build.out / "sam.yaml").read_text()
    parameters = json.loads((prod_build.out / "parameters.json").read_text())
    assert parameters["OrderEventsQueueName"] == "haat-prod-order-events"
    assert "UploadsBucketName" not in parameters, "prod leaves bucket names to the template"


def test_nothing_dev_only_ships(prod_build: Build) -> None:
    with zipfile.ZipFile(prod_build.zip_path) as archive:
        names = archive.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert not top & PROJECT_TOOLING, top & PROJECT_TOOLING
    assert {n for n in names if n.startswith("chalice/")} == CHALICE_RUNTIME
    dev_only = _dev_only_distributions()
    shipped = {name.split("/", 1)[0] for name in names if ".dist-info/" in name}
    shipped_names = {Requirement(d.rsplit("-", 1)[0]).name.lower().replace("_", "-") for d in shipped}
    assert not shipped_names & dev_only, shipped_names & dev_only
    dev_modules = _top_level_modules(dev_only) - {"chalice"}
    assert not {t.removesuffix(".py") for t in top} & dev_modules
    assert not any(n.endswith((".pyc", "/")) and "__pycache__" in n for n in names)


def _requirement_closure(requirements_file: Path) -> set[str]:
    """The distributions a requirements file installs, with everything they depend on."""
    pending = [
        Requirement(line).name
        for line in requirements_file.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    ]
    if requirements_file.name == "requirements-dev.txt":
        pending += list(_requirement_closure(requirements_file.with_name("requirements.txt")))
    seen: set[str] = set()
    while pending:
        name = pending.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for requirement in metadata.requires(name) or []:
            parsed = Requirement(requirement)
            if parsed.marker is None or parsed.marker.evaluate({"extra": ""}):
                pending.append(parsed.name)
    return seen


def _dev_only_distributions() -> set[str]:
    runtime = _requirement_closure(stack.PROJECT_DIR / "requirements.txt")
    return _requirement_closure(stack.PROJECT_DIR / "requirements-dev.txt") - runtime


def _top_level_modules(distribution: str) -> set[str]:
    return {
        name
        for name, dists in metadata.packages_distributions().items()
        if distribution in {d.lower().replace("_", "-") for d in dists}
    }


def test_unzipped_package_fits_the_budget(prod_build: Build) -> None:
    with zipfile.ZipFile(prod_build.zip_path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    assert unzipped <= UNZIPPED_LIMIT_BYTES, f"{unzipped / 1e6:.1f} MB unzipped"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("_", 1)[1].split("."))


def test_every_native_library_loads_on_the_lambda_runtime(task_root: Path) -> None:
    """Each shared object links only what Amazon Linux 2 has or the zip ships, at glibc <= 2.26."""
    shipped = {path.name for path in task_root.rglob("*.so*")}
    problems = []
    for path in task_root.rglob("*.so*"):
        with path.open("rb") as handle:
            elf = ELFFile(handle)
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    needed = {tag.needed for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"}
                    missing = needed - shipped - LAMBDA_SYSTEM_LIBRARIES
                    problems += [f"{path.relative_to(task_root)} needs {lib}" for lib in sorted(missing)]
                if isinstance(section, GNUVerNeedSection):
                    for _, versions in section.iter_versions():
                        for version in versions:
                            if version.name.startswith("GLIBC_2") and _version(version.name) > LAMBDA_GLIBC:
                                problems.append(f"{path.relative_to(task_root)} needs {version.name}")
                            if (
                                version.name.startswith("GLIBCXX_")
                                and _version(version.name) > LAMBDA_GLIBCXX
                            ):
                                problems.append(f"{path.relative_to(task_root)} needs {version.name}")
    assert not problems, problems


def _first_party_imports(task_root: Path) -> set[str]:
    """Every module app.py and chalicelib import, at the top or lazily inside a function."""
    modules = set()
    for path in [task_root / "app.py", *(task_root / "chalicelib").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module)
    return modules - {"__future__"}


def test_every_module_the_code_imports_is_in_the_package(task_root: Path, lambda_python: Path) -> None:
    """Lazy imports too (a photo path, a tracer): each one resolves from the zip plus the runtime."""
    probe = (
        "import importlib, json, sys; sys.path.insert(0, sys.argv[1]); failed = {}\n"
        "for name in json.loads(sys.stdin.read()):\n"
        "    try: importlib.import_module(name)\n"
        "    except Exception as error: failed[name] = repr(error)\n"
        "print(json.dumps(failed))"
    )
    result = subprocess.run(
        [str(lambda_python), "-I", "-c", probe, str(task_root)],
        input=json.dumps(sorted(_first_party_imports(task_root))),
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": stack.REGION},
    )
    assert json.loads(result.stdout.splitlines()[-1]) == {}


def test_every_declared_function_ran_from_the_zip(day: Day, prod_build: Build) -> None:
    assert set(day.runs) == set(prod_build.functions())
    assert len(day.runs) == 9
    for invocation in day.runs.values():
        assert "aws_xray_sdk" not in invocation.modules, "tracing is off: no X-Ray SDK is loaded"
        assert not {"moto", "yaml", "click", "haat_tools"} & set(invocation.modules)


def test_authorizer_answers_api_gateway_with_a_policy_and_a_flat_context(day: Day) -> None:
    allowed_result, refused = day.runs["bearer_token"].results
    allowed = allowed_result["response"]
    statement = allowed["policyDocument"]["Statement"][0]
    assert allowed["policyDocument"]["Version"] == "2012-10-17"
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    assert allowed["principalId"] != "anonymous"
    assert allowed["context"]["role"] == Role.DISTRICT_COORDINATOR.value
    assert allowed["context"]["district"] == "Budgam"
    assert all(isinstance(v, str | int | float | bool) for v in allowed["context"].values()), (
        "API Gateway takes only strings, numbers and booleans in an authorizer context"
    )
    # A forged token: the authorizer fails with exactly "Unauthorized", which API Gateway answers 401.
    assert refused["error"]["errorMessage"] == "Unauthorized"


def test_rest_handler_answers_api_gateway_proxy_events(day: Day) -> None:
    whoami, health, webhook = day.runs["api_handler"].responses
    for response in (whoami, health, webhook):
        assert set(response) >= {"statusCode", "headers", "body"}
        assert isinstance(response["body"], str)
    assert whoami["statusCode"] == 200
    assert json.loads(whoami["body"])["district"] == "Budgam"
    assert health["statusCode"] == 200
    assert webhook["statusCode"] == 202, webhook["body"]


def test_order_consumer_records_each_channel_and_quarantines_the_rest(day: Day) -> None:
    [response] = day.runs["on_order_events"].responses
    assert response == {"batchItemFailures": []}
    assert orders.order_view("haat", haat_order_id(day.unique)) is not None
    assert orders.order_view("amazon", f"408-{day.unique}") is not None
    assert orders.order_view("flipkart", day.details["flipkart_order"]) is not None
    quarantined = {q["message_id"] for q in orders.quarantined(limit=1000)}
    assert day.details["malformed_message_id"] in quarantined


def test_poller_reports_each_account(day: Day) -> None:
    [outcome] = day.runs["poll_channels"].responses
    assert outcome["failed_accounts"] == []
    assert [account["account"] for account in outcome["flipkart"]] == [settings().flipkart_accounts[0]]


def test_orders_and_the_deliverer_send_their_sms_through_sns(day: Day) -> None:
    """The SMS as SNS accepted it: the rendered text and the message id SNS answered with."""
    [outcome] = day.runs["deliver_notifications"].responses
    assert outcome["states"].get("sent", 0) >= 1, outcome
    view = orders.order_view("haat", haat_order_id(day.unique))
    assert view is not None
    sent = [n for n in view["notifications"] if n["state"] == "sent"]
    assert sent, view["notifications"]
    assert all(n["provider_message_id"] and f"B-{day.unique}" in n["text"] for n in sent)
    reminder = outbox.get(day.details["reminder_id"])
    assert reminder is not None
    assert reminder["state"] == "sent"
    assert reminder["provider_message_id"]
    assert f"408-{day.unique}-r" in reminder["text"]


def test_photo_consumer_gives_every_corpus_photo_its_verdict(day: Day) -> None:
    assert all(r == {"batchItemFailures": []} for r in day.runs["on_photo_uploaded"].responses)
    for case in photo_cases():
        [record] = catalogue.photos_of(day.details["products"][case.name])
        assert record.verdict.value == case.verdict, case.name
        for rendition in record.renditions:
            aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=rendition.key)


def _shg_workbook(unique: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["SHG Profile Report"])
    sheet.append(["SHG Code", "SHG Name", "District", "Block", "Village", "Formation Date"])
    sheet.append([f"PKG-{unique}", "Zaffran Mahila SHG", "Pulwama", "Pampore", "Khrew", datetime(2020, 7, 1)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_registry_import_consumer_reads_a_workbook_and_applies_it(day: Day) -> None:
    assert all(r == {"batchItemFailures": []} for r in day.runs["on_registry_import"].responses)
    report = registry_imports.report(day.details["registry_import"])
    assert report is not None
    assert (report.record.status, report.record.created, report.record.file_format) == (
        "completed",
        1,
        "workbook, sheet 'Sheet'",
    )
    group = registry.get_shg(f"PKG-{day.unique}")
    assert group is not None
    assert (group.district, group.formed_on) == ("Pulwama", "2020-07-01")


def test_schedules_answer_and_write_the_digest(day: Day) -> None:
    [sweep] = day.runs["dispatch_sweep"].responses
    assert isinstance(sweep, dict)
    [digest] = day.runs["daily_digest"].responses
    for key in ("report_key", "digest_csv", "digest_json"):
        aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=digest[key])


def test_every_function_flushes_its_metrics_as_emf(day: Day) -> None:
    for function in set(day.runs) - {"bearer_token"}:
        lines = [
            json.loads(line) for line in day.runs[function].printed.splitlines() if line.startswith('{"_aws"')
        ]
        assert lines, f"{function} emitted no metrics"
        for line in lines:
            [directive] = line["_aws"]["CloudWatchMetrics"]
            assert directive["Namespace"] == "Haat"
            assert directive["Dimensions"] == [["service"]], "the dimension the alarms name"
            assert line["service"] == "haat-backbone"
