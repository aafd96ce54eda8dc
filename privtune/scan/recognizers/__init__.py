"""Built-in recognizers. Importing this package registers them all, in this order."""

from privtune.scan.recognizers import (  # noqa: F401
    contact,
    email_spelled,
    phone_hanzi,
    accounts,
    government_ids,
    national_ids,
    national_ids_more,
    record_ids,
    financial,
    secrets,
    dates,
    person,
    person_cue,
    person_handle,
    address,
    postcodes,
    organization,
    en_model,
    table_cells,
    query_params,
)
