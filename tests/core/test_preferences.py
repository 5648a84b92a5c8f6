import pytest

from core import preferences


@pytest.mark.django_db
def test_merging_a_list_adds_only_the_missing_entries_and_keeps_the_order():
    preferences.preference_merge(key="lead_sources", value=["展会", "官网"])
    added = preferences.preference_merge(key="lead_sources", value=["官网", "转介绍"])
    assert added == ["转介绍"]
    assert preferences.preference("lead_sources") == ["展会", "官网", "转介绍"]


@pytest.mark.django_db
def test_merging_never_changes_an_entry_that_is_there_already():
    preferences.preference_merge(key="units", value=[{"name": "箱", "divisible": False}])
    added = preferences.preference_merge(key="units", value=[{"name": "箱", "divisible": True}])
    assert added == []
    assert preferences.preference("units") == [{"name": "箱", "divisible": False}]


@pytest.mark.django_db
def test_merging_a_dict_sets_only_the_keys_not_set():
    preferences.preference_set(key="number_formats", value={"SO": {"prefix": "XS", "digits": 6}})
    added = preferences.preference_merge(
        key="number_formats", value={"SO": {"prefix": "DD", "digits": 5}, "PO": {"prefix": "CG", "digits": 6}}
    )
    assert added == ["PO"]
    assert preferences.preference("number_formats")["SO"] == {"prefix": "XS", "digits": 6}


@pytest.mark.django_db
def test_a_preference_never_set_reads_as_its_default():
    assert preferences.preference("navigation") == {}
    assert preferences.cached_preference("dashboard_figures") == []
