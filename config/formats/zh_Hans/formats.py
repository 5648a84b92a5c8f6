"""Chinese formats: Django's, with the thousands separator Chinese business documents use.

Django's zh_Hans has no thousands separator (and groups by four), so ¥1234567.50 would appear
where invoices, price lists and bank statements write ¥1,234,567.50.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
