"""The photo quality gate: pure rules over measurements, with every threshold in `Thresholds`.

No imaging and no AWS here: `imaging.py` measures, this module judges, and the messages an
uploader reads (English, Hindi, Urdu) live next to the codes they explain.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Thresholds(BaseModel):
    """Every number the gate uses, in one place (blur/exposure are calibrated for `imaging.py`'s
    measurements: a 320 px grey image, Pillow's 3x3 Laplacian)."""

    model_config = ConfigDict(frozen=True)

    max_pixels: int = 60_000_000  # 50 MP phone sensors pass; decompression bombs do not
    min_short_side: int = 500  # below this marketplaces refuse the image
    zoom_long_side: int = 1000  # below this marketplaces cannot zoom
    max_aspect_ratio: float = 3.0
    min_sharpness: float = 120.0  # variance of the Laplacian of the 800 px grey image
    min_mean_brightness: float = 45.0  # 0-255 grey mean; white backdrops sit high, so only
    max_mean_brightness: float = 245.0  # a washed-out frame passes 245
    min_border_whiteness: float = 225.0  # mean of the darkest channel on the border strip
    max_duplicate_distance: int = 6  # dHash Hamming distance (of 64 bits)


THRESHOLDS = Thresholds()


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"


class Severity(StrEnum):
    REJECT = "reject"
    WARN = "warn"


class Code(StrEnum):
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UPLOAD_GONE = "upload_gone"
    NOT_AN_IMAGE = "not_an_image"
    UNSUPPORTED_FORMAT = "unsupported_format"
    FORMAT_MISMATCH = "format_mismatch"
    CORRUPT_FILE = "corrupt_file"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_SMALL = "too_small"
    EXTREME_ASPECT_RATIO = "extreme_aspect_ratio"
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BELOW_ZOOM_SIZE = "below_zoom_size"
    BACKGROUND_NOT_WHITE = "background_not_white"
    NEAR_DUPLICATE = "near_duplicate"
    ANIMATION_FIRST_FRAME = "animation_first_frame"
    UNKNOWN_PRODUCT = "unknown_product"
    ANOTHER_SHGS_PRODUCT = "another_shgs_product"


SEVERITY: dict[Code, Severity] = {
    Code.BELOW_ZOOM_SIZE: Severity.WARN,
    Code.BACKGROUND_NOT_WHITE: Severity.WARN,
    Code.NEAR_DUPLICATE: Severity.WARN,
    Code.ANIMATION_FIRST_FRAME: Severity.WARN,
}

MESSAGES: dict[Code, dict[str, str]] = {
    Code.UNKNOWN_PRODUCT: {
        "en": "This product is not in the registry. Ask your coordinator to add it, then upload again.",
        "hi": "यह उत्पाद रजिस्टर में नहीं है। समन्वयक से इसे जुड़वाएँ, फिर फ़ोटो दोबारा अपलोड करें।",
        "ur": "یہ پروڈکٹ رجسٹر میں نہیں ہے۔ کوآرڈینیٹر سے اسے شامل کروائیں، پھر تصویر دوبارہ اپلوڈ کریں۔",
    },
    Code.ANOTHER_SHGS_PRODUCT: {
        "en": "This product belongs to another SHG. Choose a product of your own SHG and upload again.",
        "hi": "यह उत्पाद किसी दूसरे समूह का है। अपने समूह का उत्पाद चुनें और फ़ोटो दोबारा अपलोड करें।",
        "ur": "یہ پروڈکٹ کسی دوسرے گروپ کا ہے۔ اپنے گروپ کا پروڈکٹ چنیں اور تصویر دوبارہ اپلوڈ کریں۔",
    },
    Code.EMPTY_FILE: {
        "en": "The file is empty. Upload the photo again.",
        "hi": "फ़ाइल खाली है। फ़ोटो फिर से अपलोड करें।",
        "ur": "فائل خالی ہے۔ تصویر دوبارہ اپلوڈ کریں۔",
    },
    Code.FILE_TOO_LARGE: {
        "en": "The file is too large. Upload the photo as the camera took it, not a video or a document.",
        "hi": "फ़ाइल बहुत बड़ी है। कैमरे से ली गई फ़ोटो ही अपलोड करें, वीडियो या दस्तावेज़ नहीं।",
        "ur": "فائل بہت بڑی ہے۔ کیمرے سے لی گئی تصویر ہی اپلوڈ کریں، ویڈیو یا دستاویز نہیں۔",
    },
    Code.UPLOAD_GONE: {
        "en": "The upload was removed before it could be checked. Upload the photo again.",
        "hi": "जाँच से पहले अपलोड हटा दिया गया। फ़ोटो फिर से अपलोड करें।",
        "ur": "جانچ سے پہلے اپلوڈ ہٹا دیا گیا۔ تصویر دوبارہ اپلوڈ کریں۔",
    },
    Code.NOT_AN_IMAGE: {
        "en": "This file is not a photo. Upload a photo taken with the phone camera.",
        "hi": "यह फ़ाइल फ़ोटो नहीं है। फ़ोन कैमरे से ली गई फ़ोटो अपलोड करें।",
        "ur": "یہ فائل تصویر نہیں ہے۔ فون کیمرے سے لی گئی تصویر اپلوڈ کریں۔",
    },
    Code.UNSUPPORTED_FORMAT: {
        "en": "This picture format is not accepted. Use JPEG, PNG, WebP, HEIC or GIF.",
        "hi": "यह चित्र फ़ॉर्मेट स्वीकार नहीं है। JPEG, PNG, WebP, HEIC या GIF इस्तेमाल करें।",
        "ur": "یہ تصویری فارمیٹ قبول نہیں ہے۔ JPEG، PNG، WebP، HEIC یا GIF استعمال کریں۔",
    },
    Code.FORMAT_MISMATCH: {
        "en": "The file name says one picture type but the file is another. Save the photo again as JPEG.",
        "hi": "फ़ाइल का नाम एक प्रकार बताता है पर फ़ाइल दूसरी है। फ़ोटो को JPEG में फिर से सेव करें।",
        "ur": "فائل کا نام ایک قسم بتاتا ہے مگر فائل دوسری ہے۔ تصویر کو JPEG میں دوبارہ محفوظ کریں۔",
    },
    Code.CORRUPT_FILE: {
        "en": "The photo is damaged or was not fully uploaded. Upload it again.",
        "hi": "फ़ोटो ख़राब है या पूरी अपलोड नहीं हुई। फिर से अपलोड करें।",
        "ur": "تصویر خراب ہے یا پوری اپلوڈ نہیں ہوئی۔ دوبارہ اپلوڈ کریں۔",
    },
    Code.TOO_MANY_PIXELS: {
        "en": "The picture is far too large in pixels to process. Upload the photo as the camera took it.",
        "hi": "चित्र में पिक्सेल बहुत अधिक हैं। कैमरे से ली गई फ़ोटो ही अपलोड करें।",
        "ur": "تصویر میں پکسل بہت زیادہ ہیں۔ کیمرے سے لی گئی تصویر ہی اپلوڈ کریں۔",
    },
    Code.TOO_SMALL: {
        "en": "The photo is too small (under 500 pixels). Take it with the phone camera, not a screenshot.",
        "hi": "फ़ोटो बहुत छोटी है (500 पिक्सेल से कम)। स्क्रीनशॉट नहीं, फ़ोन कैमरे से फ़ोटो लें।",
        "ur": "تصویر بہت چھوٹی ہے (500 پکسل سے کم)۔ اسکرین شاٹ نہیں، فون کیمرے سے تصویر لیں۔",
    },
    Code.EXTREME_ASPECT_RATIO: {
        "en": "The photo is too long and narrow. Take it so the product fills a nearly square frame.",
        "hi": "फ़ोटो बहुत लंबी और पतली है। ऐसे लें कि सामान लगभग चौकोर फ़्रेम भरे।",
        "ur": "تصویر بہت لمبی اور پتلی ہے۔ ایسے لیں کہ سامان تقریباً چوکور فریم بھرے۔",
    },
    Code.BLURRY: {
        "en": "The photo is blurred. Hold the phone still and tap the product to focus.",
        "hi": "फ़ोटो धुंधली है। फ़ोन स्थिर रखें और फ़ोकस के लिए सामान पर टैप करें।",
        "ur": "تصویر دھندلی ہے۔ فون کو ساکن رکھیں اور فوکس کے لیے سامان پر ٹیپ کریں۔",
    },
    Code.TOO_DARK: {
        "en": "The photo is too dark. Take it in daylight, near a window.",
        "hi": "फ़ोटो बहुत अंधेरी है। दिन की रोशनी में, खिड़की के पास फ़ोटो लें।",
        "ur": "تصویر بہت اندھیری ہے۔ دن کی روشنی میں، کھڑکی کے پاس تصویر لیں۔",
    },
    Code.TOO_BRIGHT: {
        "en": "The photo is too bright and washed out. Avoid direct sun and flash.",
        "hi": "फ़ोटो बहुत ज़्यादा चमकीली है। सीधी धूप और फ़्लैश से बचें।",
        "ur": "تصویر بہت زیادہ روشن ہے۔ سیدھی دھوپ اور فلیش سے بچیں۔",
    },
    Code.BELOW_ZOOM_SIZE: {
        "en": "Accepted, but under 1000 pixels: marketplaces cannot offer zoom. A larger photo sells better.",
        "hi": "स्वीकार, पर 1000 पिक्सेल से छोटी: मार्केटप्लेस ज़ूम नहीं दिखा सकते। बड़ी फ़ोटो बेहतर बिकती है।",
        "ur": "قبول، مگر 1000 پکسل سے چھوٹی: مارکیٹ پلیس زوم نہیں دکھا سکتے۔ بڑی تصویر بہتر بکتی ہے۔",
    },
    Code.BACKGROUND_NOT_WHITE: {
        "en": "Accepted, but the background is not white. Marketplaces want the main photo on plain white.",
        "hi": "स्वीकार, पर पृष्ठभूमि सफ़ेद नहीं है। मुख्य फ़ोटो सादे सफ़ेद पृष्ठभूमि पर चाहिए।",
        "ur": "قبول، مگر پس منظر سفید نہیں ہے۔ مرکزی تصویر سادہ سفید پس منظر پر چاہیے۔",
    },
    Code.NEAR_DUPLICATE: {
        "en": "Accepted, but it looks the same as another photo of this product. Show a different side.",
        "hi": "स्वीकार, पर यह इस सामान की दूसरी फ़ोटो जैसी ही है। दूसरा पहलू दिखाएँ।",
        "ur": "قبول، مگر یہ اس سامان کی دوسری تصویر جیسی ہی ہے۔ دوسرا رخ دکھائیں۔",
    },
    Code.ANIMATION_FIRST_FRAME: {
        "en": "Accepted, but it is animated: only its first frame is used.",
        "hi": "स्वीकार, पर यह एनिमेटेड है: केवल पहला फ़्रेम इस्तेमाल हुआ।",
        "ur": "قبول، مگر یہ متحرک ہے: صرف پہلا فریم استعمال ہوا۔",
    },
}

# What an SMS can carry: 30 characters (one DLT variable) that still say what to do.
SHORT_MESSAGES: dict[Code, dict[str, str]] = {
    Code.UNKNOWN_PRODUCT: {
        "en": "Unregistered: ask coordinator",
        "hi": "पंजीकृत नहीं: समन्वयक से पूछें",
        "ur": "غیر رجسٹرڈ: رابطہ کار سے کہیں",
    },
    Code.ANOTHER_SHGS_PRODUCT: {
        "en": "Another SHG's: choose your own",
        "hi": "दूसरे समूह का: अपना चुनें",
        "ur": "دوسرے گروپ کا: اپنا چنیں",
    },
    Code.EMPTY_FILE: {
        "en": "Empty file: upload it again",
        "hi": "फ़ाइल खाली है: फिर अपलोड करें",
        "ur": "فائل خالی: دوبارہ اپلوڈ کریں",
    },
    Code.FILE_TOO_LARGE: {
        "en": "File too big: use camera photo",
        "hi": "फ़ाइल बड़ी: कैमरे से फ़ोटो लें",
        "ur": "فائل بڑی: کیمرے سے تصویر لیں",
    },
    Code.UPLOAD_GONE: {
        "en": "Upload lost: upload it again",
        "hi": "अपलोड गुम: फिर से अपलोड करें",
        "ur": "اپلوڈ گم: دوبارہ اپلوڈ کریں",
    },
    Code.NOT_AN_IMAGE: {
        "en": "Not a photo: use the camera",
        "hi": "फ़ोटो नहीं है: कैमरे से लें",
        "ur": "تصویر نہیں ہے: کیمرے سے لیں",
    },
    Code.UNSUPPORTED_FORMAT: {
        "en": "Wrong type: send a JPEG photo",
        "hi": "गलत फ़ॉर्मेट: JPEG फ़ोटो भेजें",
        "ur": "غلط فارمیٹ: JPEG تصویر بھیجیں",
    },
    Code.FORMAT_MISMATCH: {
        "en": "Wrong file type: save as JPEG",
        "hi": "गलत फ़ाइल: JPEG में सेव करें",
        "ur": "غلط فائل: JPEG میں محفوظ کریں",
    },
    Code.CORRUPT_FILE: {
        "en": "Damaged file: upload again",
        "hi": "फ़ाइल ख़राब: फिर अपलोड करें",
        "ur": "فائل خراب: دوبارہ اپلوڈ کریں",
    },
    Code.TOO_MANY_PIXELS: {
        "en": "Too many pixels: use camera",
        "hi": "बहुत बड़ी: कैमरे से फ़ोटो लें",
        "ur": "بہت بڑی: کیمرے سے تصویر لیں",
    },
    Code.TOO_SMALL: {
        "en": "Too small: use phone camera",
        "hi": "बहुत छोटी: फ़ोन कैमरे से लें",
        "ur": "بہت چھوٹی: فون کیمرے سے لیں",
    },
    Code.EXTREME_ASPECT_RATIO: {
        "en": "Too narrow: fill a square",
        "hi": "बहुत पतली: चौकोर फ़ोटो लें",
        "ur": "بہت پتلی: چوکور تصویر لیں",
    },
    Code.BLURRY: {
        "en": "Blurred: hold phone still",
        "hi": "धुंधली: फ़ोन स्थिर रखें",
        "ur": "دھندلی: فون ساکن رکھیں",
    },
    Code.TOO_DARK: {
        "en": "Too dark: use daylight",
        "hi": "अंधेरी: दिन की रोशनी में लें",
        "ur": "اندھیری: دن کی روشنی میں لیں",
    },
    Code.TOO_BRIGHT: {
        "en": "Too bright: avoid sun, flash",
        "hi": "बहुत चमक: धूप, फ़्लैश से बचें",
        "ur": "بہت چمک: دھوپ، فلیش سے بچیں",
    },
    Code.BELOW_ZOOM_SIZE: {
        "en": "Bigger photos sell better",
        "hi": "बड़ी फ़ोटो ज़्यादा बिकती है",
        "ur": "بڑی تصویر زیادہ بکتی ہے",
    },
    Code.BACKGROUND_NOT_WHITE: {
        "en": "Use a plain white background",
        "hi": "सादी सफ़ेद पृष्ठभूमि रखें",
        "ur": "سادہ سفید پس منظر رکھیں",
    },
    Code.NEAR_DUPLICATE: {
        "en": "Same as another: show new side",
        "hi": "एक जैसी: दूसरा पहलू दिखाएँ",
        "ur": "ایک جیسی: دوسرا رخ دکھائیں",
    },
    Code.ANIMATION_FIRST_FRAME: {
        "en": "Animated: send a still photo",
        "hi": "एनिमेटेड: सादी फ़ोटो भेजें",
        "ur": "متحرک: سادہ تصویر بھیجیں",
    },
}


class Finding(BaseModel):
    """One verdict reason: a stable code and what it means, in every language Haat speaks."""

    model_config = ConfigDict(frozen=True)

    code: Code
    severity: Severity
    messages: dict[str, str]


def finding(code: Code) -> Finding:
    return Finding(code=code, severity=SEVERITY.get(code, Severity.REJECT), messages=MESSAGES[code])


class Measurements(BaseModel):
    """What `imaging.py` measured on the decoded, oriented photo."""

    width: int
    height: int
    sharpness: float
    mean_brightness: float
    border_whiteness: float
    animated: bool = False


def assess(measured: Measurements, limits: Thresholds = THRESHOLDS) -> list[Finding]:
    """The rules the photo breaks: its rejections if any, else its warnings; empty when it is ready."""
    short_side, long_side = sorted((measured.width, measured.height))
    codes: list[Code] = []
    if short_side < limits.min_short_side:
        codes.append(Code.TOO_SMALL)
    if long_side / max(short_side, 1) > limits.max_aspect_ratio:
        codes.append(Code.EXTREME_ASPECT_RATIO)
    if measured.mean_brightness < limits.min_mean_brightness:
        codes.append(Code.TOO_DARK)
    elif measured.mean_brightness > limits.max_mean_brightness:
        codes.append(Code.TOO_BRIGHT)
    if measured.sharpness < limits.min_sharpness and Code.TOO_DARK not in codes:
        codes.append(Code.BLURRY)
    if long_side < limits.zoom_long_side and short_side >= limits.min_short_side:
        codes.append(Code.BELOW_ZOOM_SIZE)
    if measured.border_whiteness < limits.min_border_whiteness:
        codes.append(Code.BACKGROUND_NOT_WHITE)
    if measured.animated:
        codes.append(Code.ANIMATION_FIRST_FRAME)
    findings = [finding(code) for code in codes]
    rejections = [f for f in findings if f.severity is Severity.REJECT]
    return rejections or findings  # a rejected photo's warnings ("accepted, but ...") would confuse


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex perceptual hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def verdict_of(findings: list[Finding]) -> Verdict:
    if any(f.severity is Severity.REJECT for f in findings):
        return Verdict.REJECTED
    return Verdict.ACCEPTED_WITH_WARNINGS if findings else Verdict.ACCEPTED
