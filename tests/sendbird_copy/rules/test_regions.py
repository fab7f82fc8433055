import pytest

from sendbird_copy.rules.regions import (
    RegionError,
    aws_region_for_sendbird_key,
    is_aws_region,
    known_aws_regions,
    region_from_arn,
    region_from_location_constraint,
    resolve_region,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ap-2", "ap-northeast-2"),
        ("ap-northeast-2", "ap-northeast-2"),
        ("us-1", "us-east-1"),
        (" eu-1 ", "eu-central-1"),
    ],
)
def test_resolve_accepts_keys_and_aws_regions(value, expected):
    assert resolve_region(value) == expected


def test_unknown_region_names_input_value_and_allowed():
    with pytest.raises(RegionError) as err:
        resolve_region("mars-1", input_name="applications[0].region")
    text = str(err.value)
    assert "applications[0].region" in text and "'mars-1'" in text and "ap-2 (ap-northeast-2)" in text


def test_aws_region_sendbird_does_not_run_in_is_refused_with_reason():
    with pytest.raises(RegionError, match="Sendbird does not run in"):
        resolve_region("sa-east-1")


def test_missing_region():
    with pytest.raises(RegionError, match="region is missing"):
        resolve_region("")


def test_unknown_sendbird_key_says_how_to_pass_aws_region():
    with pytest.raises(RegionError) as err:
        aws_region_for_sendbird_key("tokyo-1")
    assert "'tokyo-1'" in str(err.value) and "--sendbird-aws-region" in str(err.value)


def test_location_constraint_and_arn_regions():
    assert region_from_location_constraint(None) == "us-east-1"
    assert region_from_location_constraint("") == "us-east-1"
    assert region_from_location_constraint("eu-central-1") == "eu-central-1"
    assert region_from_arn("arn:aws:kms:ap-northeast-2:123456789012:key/abc") == "ap-northeast-2"
    with pytest.raises(RegionError, match="not an ARN"):
        region_from_arn("key/abc")


def test_sendbird_key_for_aws_region_round_trips_the_table():
    from sendbird_copy.rules.regions import SENDBIRD_REGIONS, sendbird_key_for_aws_region

    for key, region in SENDBIRD_REGIONS.items():
        assert sendbird_key_for_aws_region(region.aws_region) == key
    with pytest.raises(RegionError, match="sa-east-1"):
        sendbird_key_for_aws_region("sa-east-1")


@pytest.mark.parametrize(
    ("value", "known"),
    [
        ("ap-northeast-2", True),
        ("eu-west-3", True),
        ("ap-2", False),
        ("xx-east-9", False),
        ("", False),
        (None, False),
    ],
)
def test_is_aws_region_knows_every_botocore_region_and_nothing_else(value, known):
    assert is_aws_region(value) is known


def test_a_sendbird_region_is_known_without_loading_botocores_endpoint_data():
    known_aws_regions.cache_clear()
    assert is_aws_region("ap-northeast-2")
    assert known_aws_regions.cache_info().misses == 0  # the table answered
    assert is_aws_region("eu-west-3")  # not a Sendbird region: botocore's data decides
    assert known_aws_regions.cache_info().misses == 1


def test_every_aws_region_of_sendbirds_table_is_one_botocore_knows() -> None:
    """is_aws_region trusts the table first: a typo there must not pass as a region."""
    from sendbird_copy.rules.regions import SENDBIRD_AWS_REGIONS

    assert SENDBIRD_AWS_REGIONS.issubset(known_aws_regions())
