"""ISO 4217 currency codes accepted for money amounts (active codes, 2024 list).

The list is part of the v1 contract, so it is written out rather than read from a package: it
is the enum of the ``refund_threshold`` currency in the OpenAPI schema, and two database CHECK
constraints (refund requests, exchange rates) hold it in their migrations. ``pycountry``
26.2.16's ISO 4217 table, filtered to circulating currencies (no fund codes such as ``BOV``,
``CLF``, ``USN``; no metals, units of account or test codes such as ``XAU``, ``XDR``, ``XAD``,
``XTS``, ``XXX``), differs by four codes: it adds ``VED`` and ``XCG`` and drops the withdrawn
``ANG`` and ``BGN``. Changing the accepted set is therefore a contract change with a data
migration (existing ``ANG``/``BGN`` rows), not a refactoring.
"""

ISO_4217_CODES: tuple[str, ...] = (
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
)  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in ISO_4217_CODES]
