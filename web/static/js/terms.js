// The catalog's words a tourist reads, in English: units, certifications, and
// the common nouns of origins ("Rừng tràm U Minh Hạ, xã Khánh An" is "U Minh
// Hạ melaleuca forest, Khánh An commune"). Names of places stay as they are.
// i18n.js translates with it on the screens; the kiosk reads the same file
// for its trace pages (web/terms.go), so below the next line is strict JSON:
// keys in lower case, "{}" where a place's name goes.
export default {
  "units": {
    "chai": "bottle", "lọ": "jar", "hũ": "jar", "hộp": "box", "gói": "pack", "túi": "bag", "bịch": "bag",
    "chậu": "pot", "cái": "piece", "chiếc": "piece", "con": "piece", "cây": "plant", "quả": "fruit", "trái": "fruit",
    "vé": "ticket", "đêm": "night", "đòn": "cake", "bánh": "cake", "bộ": "set", "bó": "bunch", "lon": "can",
    "thùng": "case", "vỉ": "pack", "cuộn": "roll", "tấm": "sheet", "suất": "serving", "phần": "serving",
    "kg": "kg", "g": "g", "lít": "litre", "l": "litre", "ml": "ml", "unit": "unit"
  },
  "certifications": {
    "hữu cơ": "Organic", "hữu cơ usda": "USDA Organic", "hữu cơ eu": "EU Organic", "hữu cơ jas": "JAS Organic",
    "vietgap": "VietGAP", "globalgap": "GlobalGAP", "haccp": "HACCP", "iso 22000": "ISO 22000",
    "an toàn thực phẩm": "Food safety certified", "chỉ dẫn địa lý": "Geographical indication",
    "nhãn hiệu tập thể": "Collective trademark", "halal": "Halal", "ocop": "OCOP"
  },
  "places": {
    "xã {}": "{} commune", "phường {}": "{} ward", "thị trấn {}": "{} town", "huyện {}": "{} district",
    "tỉnh {}": "{} province", "thành phố {}": "{} city", "ấp {}": "{} hamlet", "thôn {}": "{} village",
    "làng {}": "{} village", "làng nghề {}": "{} craft village", "làng nghề bánh tét {}": "{} bánh tét craft village",
    "làng cốm dẹp {}": "flat green rice village, {}", "cảng {}": "{} port", "cửa biển {}": "{} estuary",
    "htx {}": "{} cooperative", "hợp tác xã {}": "{} cooperative",
    "rừng tràm {}": "{} melaleuca forest", "vườn tràm {}": "{} melaleuca groves",
    "rừng đước {}": "{} mangrove forest", "rừng ngập mặn {}": "{} mangrove forest",
    "vùng nuôi ong ven {}": "bee-keeping area beside the {}",
    "vùng tôm {}": "{} shrimp farms", "vùng tôm quảng canh rừng ngập mặn {}": "{} mangrove shrimp farms",
    "tôm đất {}": "{} river shrimp", "cua biển": "sea crabs", "cá cơm biển tây": "West Sea anchovies",
    "cánh đồng {}": "{} fields", "cánh đồng hữu cơ {}": "{} organic fields", "đồng {}": "{} fields",
    "ruộng rau má {}": "pennywort fields of {}", "ao sen {}": "lotus ponds of {}",
    "nhà màng {}": "greenhouses of {}", "vườn dược liệu {}": "herb gardens of {}",
    "vườn bưởi {}": "{} pomelo orchards", "vườn dừa {}": "{} coconut groves",
    "vườn dừa sáp {}": "{} macapuno coconut groves", "vườn dừa xiêm xanh {}": "{} green coconut groves",
    "vùng dừa {}": "{} coconut groves", "vùng dừa hữu cơ {}": "{} organic coconut groves",
    "dừa {}": "{} coconuts", "sầu riêng {}": "{} durians", "vùng nguyên liệu {}": "{} growing area"
  }
};
