"""The one place that knows the column headers of the registry files a mission has.

Four kinds of file, as the NRLM MIS (LOKOS) and district spreadsheets export them:

- `shgs`: the SHG profile export (SHG code, name, state/district/block/gram panchayat/village, VO, CLF,
  formation date);
- `members`: the SHG member export (member code, SHG code, name, mobile, designation, gender, social
  category, PVTG);
- `artisans`: individual and master artisans who are in no SHG (artisan or Pehchan card code, name,
  mobile, where she lives); each becomes a producer group of kind `individual` holding herself;
- `products`: the product sheet (SHG or artisan code, SKU, title, short names for SMS, craft, price,
  stock, GI tag, channel SKUs, makers).

Headers are matched as every import matches them (`chalicelib.imports.columns`: case, spaces,
punctuation and underscores never matter, nor chandrabindu/anusvara in Hindi headers (गाँव, गांव));
columns Haat does not know are listed in the import's report as ignored. The header row need not be
the first: MIS reports often put a title above it, so the first of the top rows that names a kind's
key columns is the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.imports import columns
from chalicelib.imports.columns import Column, Layout
from chalicelib.imports.sheets import HEADER_SEARCH_ROWS


class Kind(StrEnum):
    SHGS = "shgs"
    MEMBERS = "members"
    ARTISANS = "artisans"
    PRODUCTS = "products"


# Applied in this order when several files come at once: a member needs her SHG, a product its group.
KIND_ORDER = (Kind.SHGS, Kind.ARTISANS, Kind.MEMBERS, Kind.PRODUCTS)


SHG_CODE = Column(
    "shg_code",
    "SHG Code",
    (
        "SHG ID",
        "SHG Code (NRLM)",
        "NRLM SHG Code",
        "LokOS SHG Code",
        "LOKOS Code",
        "CBO Code",
        "Group Code",
        "SHG No",
        "एसएचजी कोड",
        "समूह कोड",
        "स्वयं सहायता समूह कोड",
    ),
    required=True,
)
STATE = Column("state", "State", ("State Name", "राज्य"))
DISTRICT = Column("district", "District", ("District Name", "जिला", "ज़िला", "जनपद", "ضلع"), required=True)
BLOCK = Column(
    "block",
    "Block",
    ("Block Name", "Development Block", "ब्लॉक", "प्रखंड", "विकासखंड", "विकास खंड"),
    required=True,
)
GRAM_PANCHAYAT = Column(
    "gram_panchayat",
    "Gram Panchayat",
    ("GP", "GP Name", "Panchayat", "Gram Panchayat Name", "ग्राम पंचायत", "पंचायत", "Panchayat Name"),
)
VILLAGE = Column("village", "Village", ("Village Name", "गाँव", "ग्राम", "गाँव का नाम", "گاؤں"), required=True)
MOBILE = Column(
    "mobile",
    "Mobile No",
    (
        "Mobile",
        "Mobile Number",
        "Contact No",
        "Contact Number",
        "Phone",
        "Phone No",
        "Phone Number",
        "Mob No",
        "मोबाइल",
        "मोबाइल नंबर",
        "मोबाइल नम्बर",
        "मोबाइल न",
        "फोन नंबर",
        "موبائل نمبر",
        "Contact",
    ),
    required=True,
)
GENDER = Column("gender", "Gender", ("Sex", "लिंग"))
SOCIAL_CATEGORY = Column(
    "social_category",
    "Social Category",
    (
        "Category",
        "Caste Category",
        "सामाजिक वर्ग",
        "सामाजिक श्रेणी",
        "वर्ग",
        "श्रेणी",
        "जाति वर्ग",
        "Caste",
        "Social Group",
    ),
)
PVTG = Column("pvtg", "PVTG", ("Is PVTG", "PVTG (Y/N)", "PVTG Member", "पीवीटीजी"))
# The day the group joined Haat (channel fee waivers run from it); the import's day when not given.
ONBOARDED_ON = Column(
    "onboarded_on", "Onboarded On", ("Onboarding Date", "Haat Onboarding Date", "Onboarded")
)
LANGUAGE = Column("language", "Language", ("Preferred Language", "SMS Language", "भाषा", "زبان"))

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.SHGS: (
        SHG_CODE,
        Column(
            "shg_name",
            "SHG Name",
            ("Name of SHG", "Group Name", "CBO Name", "एसएचजी का नाम", "समूह का नाम", "स्वयं सहायता समूह का नाम"),
            required=True,
        ),
        STATE,
        DISTRICT,
        BLOCK,
        GRAM_PANCHAYAT,
        VILLAGE,
        Column(
            "village_organisation",
            "VO Name",
            ("VO", "Village Organisation", "Village Organization", "VO Code", "ग्राम संगठन", "वीओ"),
        ),
        Column(
            "federation",
            "CLF Name",
            ("CLF", "Cluster Level Federation", "Federation", "संकुल स्तरीय संघ", "सीएलएफ"),
        ),
        Column(
            "formed_on",
            "Formation Date",
            (
                "Date of Formation",
                "SHG Formation Date",
                "Formation",
                "गठन तिथि",
                "गठन की तिथि",
                "गठन की तारीख",
            ),
        ),
        Column(
            "coordinator", "Coordinator Member Code", ("Cluster Coordinator", "Coordinator", "CC Member Code")
        ),
    ),
    Kind.MEMBERS: (
        Column(
            "member_code",
            "Member Code",
            (
                "Member ID",
                "LokOS Member Code",
                "NRLM Member Code",
                "Member Unique ID",
                "सदस्य कोड",
                "सदस्य आईडी",
            ),
            required=True,
        ),
        SHG_CODE,
        Column(
            "member_name",
            "Member Name",
            (
                "Name",
                "Name of Member",
                "Name of the Member",
                "सदस्य का नाम",
                "नाम",
                "نام",
                "Name of SHG Member",
            ),
            required=True,
        ),
        MOBILE,
        Column(
            "role",
            "Designation",
            ("Role", "Post", "Position in SHG", "Member Designation", "पद", "भूमिका", "Position"),
        ),
        GENDER,
        SOCIAL_CATEGORY,
        PVTG,
        LANGUAGE,
        Column("income_share", "Income Share", ("Share of Income",)),
    ),
    Kind.ARTISANS: (
        Column(
            "artisan_code",
            "Artisan Code",
            (
                "Artisan ID",
                "Pehchan Card No",
                "Pehchan Card Number",
                "Pehchan ID",
                "Artisan Card No",
                "कारीगर कोड",
                "पहचान कार्ड संख्या",
            ),
            required=True,
        ),
        Column(
            "artisan_name",
            "Artisan Name",
            ("Name", "Name of Artisan", "कारीगर का नाम", "नाम", "نام"),
            required=True,
        ),
        MOBILE,
        GENDER,
        SOCIAL_CATEGORY,
        PVTG,
        LANGUAGE,
        STATE,
        DISTRICT,
        BLOCK,
        GRAM_PANCHAYAT,
        VILLAGE,
        ONBOARDED_ON,
    ),
    Kind.PRODUCTS: (
        Column(
            "shg_code",
            "SHG Code",
            (
                *SHG_CODE.aliases,
                "SHG or Artisan Code",
                "SHG/Artisan Code",
                "Producer Code",
                "Group or Artisan Code",
            ),
        ),
        Column("artisan_code", "Artisan Code", ("Artisan ID", "Pehchan Card No", "कारीगर कोड")),
        Column("product_id", "Product ID", ("Product Code", "Haat Product ID")),
        Column("sku", "SKU", ("Seller SKU", "SKU Code", "SKU ID", "Item SKU", "एसकेयू"), required=True),
        Column(
            "title",
            "Title",
            ("Product Title", "Product Name", "Item Name", "Product", "उत्पाद का नाम", "उत्पाद"),
            required=True,
        ),
        Column(
            "short_name_en",
            "Short Name",
            ("SMS Name", "Short Name (English)", "Short Name English", "Short Name (en)", "संक्षिप्त नाम"),
        ),
        Column(
            "short_name_hi",
            "Short Name (Hindi)",
            ("Short Name Hindi", "SMS Name (Hindi)", "Short Name (hi)", "संक्षिप्त नाम (हिंदी)", "हिंदी नाम"),
        ),
        Column(
            "short_name_ur",
            "Short Name (Urdu)",
            ("Short Name Urdu", "SMS Name (Urdu)", "Short Name (ur)", "संक्षिप्त नाम (उर्दू)", "اردو نام"),
        ),
        Column(
            "craft", "Craft", ("Craft Category", "Craft Type", "Art Form", "शिल्प", "Category"), required=True
        ),
        Column(
            "price",
            "Price (Rs)",
            ("Price", "Price (INR)", "Price (₹)", "Selling Price", "Rate", "मूल्य", "कीमत", "दाम", "दर", "MRP"),
            required=True,
        ),
        Column(
            "stock",
            "Stock",
            (
                "Stock Qty",
                "Stock Quantity",
                "Quantity in Stock",
                "Available Stock",
                "Inventory",
                "स्टॉक",
                "भंडार",
                "Available Quantity",
                "Quantity",
                "Qty",
                "मात्रा",
            ),
        ),
        Column("gi_tag", "GI Tag", ("GI", "GI Registration", "GI Product", "जीआई टैग")),
        Column(
            "makers", "Maker Member Codes", ("Makers", "Maker Codes", "Artisan Member Codes", "बनाने वाले सदस्य")
        ),
        Column("flipkart_sku", "Flipkart SKU", ("FK SKU", "Flipkart Seller SKU", "Flipkart SKU ID")),
        Column("amazon_sku", "Amazon SKU", ("Amazon Seller SKU", "Amazon SKU ID")),
        Column("meesho_sku", "Meesho SKU", ("Meesho SKU ID",)),
        Column("ondc_sku", "ONDC SKU", ("ONDC Item ID", "ONDC Item Code")),
        Column("haat_sku", "Haat SKU", ("Outlet SKU", "Mela SKU")),
    ),
}

# A product row names its group by SHG code or by artisan code (one of the two must be there).
ONE_OF: dict[Kind, tuple[str, ...]] = {Kind.PRODUCTS: ("shg_code", "artisan_code")}
# Each kind's key column, most specific first: it tells a file's kind when the caller does not say
# it (a member export also has an SHG code column, a product sheet an SHG code and a SKU).
KEY_FIELDS: dict[Kind, str] = {
    Kind.PRODUCTS: "sku",
    Kind.MEMBERS: "member_code",
    Kind.ARTISANS: "artisan_code",
    Kind.SHGS: "shg_code",
}

# A header earlier in a column's names wins when a file has two columns for one field ("Price" over
# "MRP", "Mobile No" over "Contact").
LAYOUTS: dict[Kind, Layout] = {kind: Layout(kind_columns) for kind, kind_columns in COLUMNS.items()}


def column_of(kind: Kind, header: str) -> Column | None:
    """The column a header names in a file of `kind`, if any."""
    return LAYOUTS[kind].column_of(header)


@dataclass(frozen=True)
class HeaderMap(columns.HeaderMap):
    kind: Kind


def map_headers(kind: Kind, cells: list[str]) -> HeaderMap:
    found = LAYOUTS[kind].map(cells)
    missing = list(found.missing)
    one_of = ONE_OF.get(kind, ())
    if one_of and not any(field in found.index_of for field in one_of):
        missing.append(" or ".join(c.header for c in COLUMNS[kind] if c.field in one_of))
    return HeaderMap(
        layout=found.layout,
        index_of=found.index_of,
        headers=found.headers,
        missing=tuple(missing),
        ignored=found.ignored,
        kind=kind,
    )


def detect(cells: list[str]) -> Kind | None:
    """The kind a header row belongs to, from its most specific key column."""
    for kind, field in KEY_FIELDS.items():
        if any((column := column_of(kind, cell)) and column.field == field for cell in cells):
            return kind
    return None


def find_header(rows: list[list[str]], kind: Kind | None) -> tuple[int, HeaderMap] | None:
    """(index, map) of the first top row that is a header of `kind` (or of any kind), else None.

    A header names its kind's key column and at least one other of its columns."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidate = kind or detect(cells)
        if candidate is None:
            continue
        mapped = map_headers(candidate, cells)
        if KEY_FIELDS[candidate] in mapped.index_of and len(mapped.index_of) >= 2:
            return index, mapped
    return None
