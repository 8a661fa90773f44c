"""What an import does to the registry: only what changed, stock only when given, languages by
district unless set, each row inside the importer's area, whole-file refusals, and the report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from chalice import Chalice
from chalice.test import Client
from click.testing import CliRunner, Result

from chalicelib.auth import Role, issue_local_token
from chalicelib.registry import edits, repository
from chalicelib.registry.models import Language
from haat_tools.cli import main
from haat_tools.local import runner
from haat_tools.local.stack import PROJECT_DIR
from tests.registry.helpers import (
    MEMBER_HEADERS,
    PRODUCT_HEADERS,
    SHG_HEADERS,
    headers,
    member,
    notes,
    product,
    run_import,
    shg,
    table,
    token,
)


def _shgs(client: Client, app: Chalice, *rows: list[str]) -> dict[str, object]:
    return run_import(client, app, table(SHG_HEADERS, list(rows)).encode(), "shgs.csv")


def test_a_changed_row_updates_only_what_changed_and_stock_only_when_given(
    client: Client, app: Chalice, unique: str
) -> None:
    group = f"C{unique}"
    _shgs(client, app, shg(group))
    sku = f"{group}-TRAY"
    run_import(client, app, table(PRODUCT_HEADERS, [product(sku, group, stock="10")]).encode(), "p.csv")
    product_id = f"P-{sku}"
    # A piece was restocked through the API since; then the district sends the sheet with a new price.
    current = repository.get_product(product_id)
    assert current is not None
    edits.restock(current, 1, by="test", via="test")
    changed = run_import(
        client,
        app,
        table(PRODUCT_HEADERS, [product(sku, group, stock="10", price="1,950")]).encode(),
        "p.csv",
    )
    assert (changed["record"]["updated"], changed["record"]["unchanged"]) == (1, 0)
    after = repository.get_product(product_id)
    assert after is not None
    assert (after.price_paise, after.stock) == (195000, 11)  # the sheet's stock did not change: kept
    [*_, change] = repository.history("PRODUCT", product_id)
    assert change["changes"] == {"price_paise": {"from": 180000, "to": 195000}}
    assert change["via"].startswith("import ")

    no_stock_column = [h for h in PRODUCT_HEADERS if h != "Stock"]
    row = product(sku, group, price="1,950")
    del row[PRODUCT_HEADERS.index("Stock")]
    unchanged = run_import(client, app, table(no_stock_column, [row]).encode(), "p.csv")
    assert unchanged["record"]["unchanged"] == 1
    restocked = run_import(
        client,
        app,
        table(PRODUCT_HEADERS, [product(sku, group, stock="25", price="1,950")]).encode(),
        "p.csv",
    )
    assert restocked["record"]["updated"] == 1
    assert repository.get_product(product_id).stock == 25  # type: ignore[union-attr]


def test_language_follows_the_division_unless_set_and_an_edit_survives_reimport(
    client: Client, app: Chalice, unique: str
) -> None:
    kashmir, jammu = f"K{unique}", f"J{unique}"
    _shgs(client, app, shg(kashmir, "Kupwara"), shg(jammu, "Kathua"))
    member_headers = [*MEMBER_HEADERS, "Language"]
    rows = [
        [*member(f"{kashmir}-1", kashmir), ""],
        [*member(f"{kashmir}-2", kashmir), "English"],
        [*member(f"{jammu}-1", jammu), ""],
        [*member(f"{jammu}-2", jammu), "उर्दू"],
    ]
    sheet = table(member_headers, rows).encode()
    run_import(client, app, sheet, "members.csv")
    languages = {
        m.member_id: m.language for m in repository.members_of(kashmir) + repository.members_of(jammu)
    }
    assert languages == {
        f"{kashmir}-1": Language.URDU,
        f"{kashmir}-2": Language.ENGLISH,
        f"{jammu}-1": Language.HINDI,
        f"{jammu}-2": Language.URDU,
    }
    override = client.http.patch(
        f"/members/{jammu}-1", headers=headers(token()), body=json.dumps({"language": "en"})
    )
    assert override.status_code == 200, override.body
    again = run_import(client, app, sheet, "members.csv")
    assert again["record"]["unchanged"] == 4
    assert repository.get_member(jammu, f"{jammu}-1").language is Language.ENGLISH  # type: ignore[union-attr]


def test_a_district_coordinator_imports_her_district_only(client: Client, app: Chalice, unique: str) -> None:
    mine, theirs = f"D{unique}", f"E{unique}"
    _shgs(client, app, shg(theirs, "Anantnag"))
    budgam = token(Role.DISTRICT_COORDINATOR, "Budgam", subject="budgam-dmmu")
    sheet = table(SHG_HEADERS, [shg(mine, "Budgam"), shg(f"{mine}-X", "Srinagar"), shg(theirs, "Budgam")])
    report = run_import(client, app, sheet.encode(), "shgs.csv", bearer=budgam)
    assert repository.get_shg(mine) is not None
    assert repository.get_shg(f"{mine}-X") is None
    assert repository.get_shg(theirs).district == "Anantnag"  # type: ignore[union-attr]
    found = notes(report)
    assert set(found) == {3, 4}
    assert all("outside your area (district Budgam)" in reason for row in found.values() for _, reason in row)
    members = table(MEMBER_HEADERS, [member(f"{theirs}-1", theirs)]).encode()
    refused = run_import(client, app, members, "members.csv", bearer=budgam)
    assert notes(refused) == {2: [("SHG Code", "outside your area (district Budgam)")]}


def test_a_block_coordinator_imports_her_block_only(client: Client, app: Chalice, unique: str) -> None:
    harwan = issue_local_token("harwan-bmmu", Role.BLOCK_COORDINATOR, district="Srinagar", block="Harwan")
    sheet = table(SHG_HEADERS, [shg(f"H{unique}"), shg(f"H{unique}-2", block="Khanmoh")])
    report = run_import(client, app, sheet.encode(), "shgs.csv", bearer=harwan)
    assert (report["record"]["created"], report["record"]["rejected"]) == (1, 1)
    assert notes(report) == {3: [("District", "outside your area (block Harwan of district Srinagar)")]}


def test_who_may_import_and_see_reports(client: Client, app: Chalice, unique: str) -> None:
    resource_person = token(Role.RESOURCE_PERSON, subject="rp-1")
    denied = client.http.post("/imports/registry/uploads", headers=headers(resource_person), body="{}")
    assert denied.status_code == 403
    report = _shgs(client, app, shg(f"V{unique}", "Budgam"))
    import_id = report["record"]["import_id"]
    other_district = token(Role.DISTRICT_COORDINATOR, "Jammu", subject="jammu-dmmu")
    assert (
        client.http.get(f"/imports/registry/{import_id}", headers=headers(other_district)).status_code == 404
    )
    assert client.http.get("/imports/registry/nope", headers=headers(token())).status_code == 404


def test_a_file_that_cannot_be_imported_is_rejected_whole(client: Client, app: Chalice, unique: str) -> None:
    missing = run_import(client, app, f"SHG Code,SHG Name\nR{unique},Noor\n".encode(), "shgs.csv")
    assert missing["record"]["status"] == "rejected"
    assert missing["record"]["message"] == "the file has no District, Block, Village column"
    assert repository.get_shg(f"R{unique}") is None
    garbage = run_import(client, app, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "photo.png")
    assert garbage["record"]["status"] == "rejected"
    assert "no header row" in garbage["record"]["message"]
    bad_key = client.http.post(
        "/imports/registry", headers=headers(token()), body=json.dumps({"key": "uploads/x.csv"})
    )
    assert bad_key.status_code == 400
    not_uploaded = client.http.post(
        "/imports/registry", headers=headers(token()), body=json.dumps({"key": "imports/registry/none.csv"})
    )
    assert (not_uploaded.status_code, "PUT it" in not_uploaded.json_body["error"]) == (400, True)


def test_a_small_csv_can_be_the_request_body_and_the_report_is_a_csv_too(
    client: Client, app: Chalice, unique: str
) -> None:
    body = table(SHG_HEADERS, [shg(f"B{unique}"), shg(f"B{unique}"), shg(f"B{unique}-2", "=SUM(A1)")])
    started = client.http.post(
        "/imports/registry?file_name=shgs.csv", headers=headers(token(), "text/csv"), body=body.encode()
    )
    assert started.status_code == 202, started.body
    import_id = started.json_body["import_id"]
    runner.drain(app, runner.binding("on_registry_import"))
    report = client.http.get(f"/imports/registry/{import_id}/report.csv", headers=headers(token()))
    assert report.status_code == 200
    assert report.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.body.decode("utf-8-sig"))))
    assert rows == [
        ["row", "column", "value", "reason", "level"],
        ["3", "SHG Code", f"B{unique}", "duplicate: row 2 has the same SHG Code", "error"],
        ["4", "District", "'=SUM(A1)", rows[2][3], "error"],
    ]
    assert rows[2][3].startswith("not a district of Jammu and Kashmir")
    listed = client.http.get("/imports/registry", headers=headers(token())).json_body["imports"]
    assert import_id in [entry["import_id"] for entry in listed]


def test_the_cli_imports_files_in_order_and_shows_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As mission IT runs it on a fresh machine: a private local stack, files in any order."""
    monkeypatch.setenv("HAAT_LOCAL_STATE", str(tmp_path / "no-stack-running.json"))
    samples = sorted((PROJECT_DIR / "samples" / "registry").glob("*.csv"), reverse=True)  # products first
    result = CliRunner().invoke(
        main, ["registry", "import", *map(str, samples), "--report-csv", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    reports = [json.loads(block) for block in _json_blocks(result.stdout)]
    assert [(r["kind"], r["status"], r["created"], r["invalid"] + r["rejected"]) for r in reports] == [
        ("shgs", "completed", 5, 0),
        ("artisans", "completed", 1, 0),
        ("members", "completed", 15, 0),
        ("products", "completed", 7, 0),
    ]
    assert "members.csv: applying" in result.stderr or "members.csv: completed" in result.stderr
    assert (tmp_path / "products-r.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "row,column,value,reason,level"
    ]


def _json_blocks(output: str) -> list[str]:
    """The pretty-printed JSON documents a command wrote one after another."""
    blocks, current = [], []
    for line in output.splitlines():
        current.append(line)
        if line == "}":
            blocks.append("\n".join(current))
            current = []
    return blocks


def test_imports_show_and_list_read_the_record_and_its_bad_rows(
    client: Client, app: Chalice, cli: Callable[..., Result], unique: str, tmp_path: Path
) -> None:
    report = _shgs(client, app, shg(f"S{unique}"), shg(f"S{unique}-2", "Nowhere"))
    import_id = report["record"]["import_id"]
    shown = json.loads(cli("imports", "show", import_id, "--csv", str(tmp_path / "bad.csv")).output)
    assert (shown["status"], shown["created"], shown["invalid"]) == ("completed", 1, 1)
    assert shown["errors"][0]["row"] == 3
    assert shown["errors"][0]["column"] == "District"
    assert (tmp_path / "bad.csv").read_text(encoding="utf-8-sig").count("\n") == 2
    listed = [json.loads(line) for line in cli("imports", "list").output.splitlines()]
    assert import_id in [entry["import_id"] for entry in listed]
