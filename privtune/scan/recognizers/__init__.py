"""Built-in recognizers. Importing this package registers them all, in this order."""

import importlib

# Each module registers its recognizers when it is imported; this list is the registration order.
__all__ = [
    "contact",
    "email_spelled",
    "phone_hanzi",
    "phone_masked",
    "accounts",
    "government_ids",
    "national_ids",
    "national_ids_more",
    "record_ids",
    "medicare_mbi",
    "ward_beds",
    "device_ids",
    "mrz",
    "vehicle_plates",
    "financial",
    "secrets",
    "dates",
    "person",
    "person_cue",
    "zh_nicknames",
    "person_handle",
    "export_headers",
    "home_dirs",
    "address",
    "postcodes",
    "organization",
    "en_model",
    "table_cells",
    "query_params",
    "text_tables",
    "log_fields",
    "vcards",
    "xml_fields",
    "hl7_fields",
    "spelled_names",
    "desk_handles",
    "config_lines",
    "zh_compound_names",
    "asked_values",
]
for _module in __all__:
    importlib.import_module(f"{__name__}.{_module}")
