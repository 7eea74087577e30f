"""Entra's expression language: parsing, each function's semantics, and errors that point at the fault."""

from datetime import UTC, datetime

import pytest

from scim_harness.simulator.expressions import ExpressionError, parse

ACTIVE = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'


def evaluate(text: str, **source):
    return parse(text).evaluate(source)


@pytest.mark.parametrize(
    ("is_soft_deleted", "expected"),
    [(False, "True"), (True, "False"), ("False", "True"), ("True", "False"), (None, None), ("maybe", None)],
)
def test_default_active_expression_on_each_is_soft_deleted_case(is_soft_deleted, expected):
    assert evaluate(ACTIVE, IsSoftDeleted=is_soft_deleted) == expected


def test_switch_compares_case_sensitively_and_falls_back_to_the_default():
    expr = 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane")'
    assert evaluate(expr, state="QLD") == "Australia/Brisbane"
    assert evaluate(expr, state="qld") == "Australia/Sydney"
    # A null source matches the empty-string key, as the docs recommend for "is empty" checks.
    assert evaluate('Switch([flag], "Default", "true", "1", "", "0")') == "0"


def test_parse_reports_the_attributes_it_references_once_each():
    expr = parse('Join(" ", [givenName], [surname], [givenName])')
    assert expr.attributes == ("givenName", "surname")
    assert parse("[displayName]").direct_attribute == "displayName"
    assert parse('Append([a], "x")').direct_attribute is None


def test_missing_attribute_is_null_and_names_match_case_insensitively():
    assert evaluate("[mobile]", displayName="A") is None
    assert evaluate("[UserPrincipalName]", userPrincipalName="a@contoso.com") == "a@contoso.com"


def test_string_literal_escapes():
    assert evaluate(r'"Company name: \"Contoso\" \\ end"') == 'Company name: "Contoso" \\ end'


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("Not([IsSoftDeleted])", {"IsSoftDeleted": True}, False),
        ("Not([IsSoftDeleted])", {"IsSoftDeleted": "False"}, True),
        ('IIF([country]="USA",[country],[department])', {"country": "USA", "department": "D"}, "USA"),
        ('IIF([country]="USA",[country],[department])', {"country": "FR", "department": "D"}, "D"),
        ('IIF([country]="USA","yes","no")', {}, "no"),
        ('IIF([n]>5,"big","small")', {"n": 7}, "big"),
        ('IIF([a]<>[b],"differ","same")', {"a": "x", "b": "y"}, "differ"),
        ('IIF([a]>[b],"y","n")', {"a": "10", "b": "9"}, "y"),
        ('IIF([a]=[b],"y","n")', {"a": "01", "b": "1"}, "n"),
        ('IIF([a]=1,"y","n")', {"a": "1"}, "y"),
        ("IsNull([displayName])", {}, True),
        ("IsNull([displayName])", {"displayName": ""}, False),
        ("IsNullOrEmpty([displayName])", {"displayName": ""}, True),
        ("IsPresent([displayName])", {"displayName": "A"}, True),
        ("IsPresent([displayName])", {}, False),
        ("IsString([displayName])", {"displayName": "A"}, True),
        ("IsString([accountEnabled])", {"accountEnabled": True}, False),
        ("Coalesce([mail],[userPrincipalName])", {"userPrincipalName": "u@c.com"}, "u@c.com"),
        ('Coalesce([mail],[other],"fallback")', {}, "fallback"),
        ('Join(", ", "", [surname], [givenName])', {"surname": "Doe", "givenName": "John"}, "Doe, John"),
        ('Join(";", [proxyAddresses])', {"proxyAddresses": ["a", "b"]}, "a;b"),
        ('Append([userPrincipalName], ".test")', {"userPrincipalName": "J@c.com"}, "J@c.com.test"),
        ('Left("John Doe", 3)', {}, "Joh"),
        ('Left("John", -1)', {}, "John"),
        ("Left([missing], 3)", {}, ""),
        ("Mid([givenName], 1, 3)", {"givenName": "Jonathan"}, "Jon"),
        ("Mid([givenName], 3, 50)", {"givenName": "John"}, "hn"),
        ('Replace([mail], "@contoso.com", , ,"", ,)', {"mail": "john.doe@contoso.com"}, "john.doe"),
        (
            'Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )',
            {"BusinessTitle": "Product Developer"},
            "Software Engineer",
        ),
        (
            'Replace([UserID],"<username>", , , , , "<username>@contoso.com")',
            {"UserID": "jsmith"},
            "jsmith@contoso.com",
        ),
        (
            r'Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , '
            r'"${phoneNumber}", , )',
            {"telephoneNumber": "+91 9998887777"},
            "9998887777",
        ),
        (r'Replace([mobile], , "[()\\s-]+", , "", , )', {"mobile": "+1 (999) 888-7777"}, "+19998887777"),
        (
            r'Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )',
            {"AddressLineData": "545 Tremont Street"},
            "888 Tremont Street",
        ),
        (
            r'Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )',
            {"userPrincipalName": "jsmith@contoso.com"},
            "jsmith",
        ),
        (
            r'Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", '
            r'"phoneNumber" , , [mobile], )',
            {"telephoneNumber": "", "mobile": "+91 8887779999"},
            "8887779999",
        ),
        (
            "ToLower([userPrincipalName])",
            {"userPrincipalName": "John.Doe@Contoso.com"},
            "john.doe@contoso.com",
        ),
        ('ToUpper([x], "en-US")', {"x": "abc"}, "ABC"),
        ("Trim([x])", {"x": "  padded  "}, "padded"),
        ("StripSpaces([x])", {"x": " a b  c "}, "abc"),
        ('Word("The quick brown fox",3," ")', {}, "brown"),
        ('Word("This,string!has&many separators",3,",!&#")', {}, "has"),
        ('Word("one two",5," ")', {}, ""),
        ("CStr([accountEnabled])", {"accountEnabled": True}, "True"),
        ("CStr([n])", {"n": 42}, "42"),
        ("CBool([a] = [b])", {"a": "x", "b": "x"}, True),
        ('CBool("0")', {}, False),
        ('Split([x], ",")', {"x": "One,Two"}, ["One", "Two"]),
        ('SelectUniqueValue([missing], Join(".", [g], [s]), "last")', {"g": "J", "s": "S"}, "J.S"),
        (
            "NormalizeDiacritics([givenName])",
            {"givenName": "Zoë Åsa Jørgen Straße"},
            "Zoe Asa Joergen Strasse",
        ),
        ("NormalizeDiacritics([givenName])", {"givenName": "太郎"}, "太郎"),
        ("PCase([x])", {"x": "PABLO GONSALVES (SECOND)"}, "Pablo Gonsalves (Second)"),
        ('PCase([x]," \'-")', {"x": "PINTO-DE'SILVA"}, "Pinto-De'Silva"),
        ('InStr("The quick brown fox","quick")', {}, 5),
        ('InStr("repEated","e",3,vbBinaryCompare)', {}, 7),
        ("Item([p], 2)", {"p": ["a", "b"]}, "b"),
        ("Count([p])", {"p": ["a", "b", "c"]}, 3),
        ("RemoveDuplicates([p])", {"p": ["a", "b", "a"]}, ["a", "b"]),
        ("BitAnd(&HF, &HF7)", {}, 7),
        ('ConvertToUTF8Hex("Hello world!")', {}, "48656C6C6F20776F726C6421"),
        ('ConvertToBase64("Hello world!")', {}, "SABlAGwAbABvACAAdwBvAHIAbABkACEA"),
        ("IgnoreFlowIfNullOrEmpty([department])", {"department": ""}, None),
        (
            'FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
            {"x": "20150123105347.1Z"},
            "2015-01-23",
        ),
        (
            'FormatDateTime([x], , "M/d/yyyy hh:mm:ss tt", "yyyy-MM-dd HH:mm")',
            {"x": "3/7/2021 01:05:00 PM"},
            "2021-03-07 13:05",
        ),
        ("CStr(DateFromNum(129699324000000000))", {}, "1/1/2012 11:00:00 PM"),
        ('CStr(DateAdd("d", 7, CDate("2012-03-16-07:00")))', {}, "3/23/2012 7:00:00 AM"),
        ('CStr(DateAdd("m", 10, CDate("2012-03-16-07:00")))', {}, "1/16/2013 7:00:00 AM"),
        ('DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))', {}, 13),
        ('Join("", 1000, "x")', {}, "1000x"),
    ],
)
def test_function_semantics_match_the_documented_examples(text, source, expected):
    assert parse(text).evaluate(source) == expected


def test_now_uses_the_given_time_in_entras_format():
    moment = datetime(2021, 7, 2, 15, 33, 38, tzinfo=UTC)
    assert parse("Now()").evaluate({}, now=moment) == "7/2/2021 3:33:38 PM"


def test_multi_valued_attributes_flow_through_string_functions():
    assert evaluate("ToLower([proxyAddresses])", proxyAddresses=["SMTP:A@X.COM", "smtp:b@x.com"]) == [
        "smtp:a@x.com",
        "smtp:b@x.com",
    ]


def test_guid_is_fresh_per_evaluation():
    expr = parse("Guid()")
    assert expr.evaluate({}) != expr.evaluate({})


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('Swich([IsSoftDeleted], , "False", "True")', "unknown function 'Swich'", 0),
        ('switch([a], , "x", "y")', "did you mean Switch?", 0),
        ("Append([a])", "Append takes 2 argument(s), got 1", 0),
        ('Join(" ", [a], "unclosed)', "unclosed string literal", 15),
        ('Append([displayName, "x")', "unclosed '['", 7),
        ('Append([a], "x"', "unclosed '(' of Append", 6),
        ('Switch([a], , "x")', "Switch takes at least 4 argument(s), got 3", 0),
        ('Switch([a], , "x", "y", "z")', "even count", 0),
        ('Append([a], "x") junk', "unexpected 'j' after the end", 17),
        ("displayName", "attributes go in square brackets ([displayName])", 0),
        ("", "the expression is empty", 0),
        ('Append([a] "x")', "expected ',' or ')'", 11),
        ("SingleAppRoleAssignment([appRoleAssignments])", "not supported by the simulator", 0),
        ("Not([])", "empty attribute name", 4),
    ],
)
def test_errors_name_the_fault_and_its_position(text, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert caught.value.pointer().splitlines()[-1] == "  " + " " * position + "^"


def test_bad_regex_is_an_expression_error_at_evaluation():
    with pytest.raises(ExpressionError, match="bad regular expression"):
        parse('Replace([a], , "(", , "", , )').evaluate({"a": "x"})


def test_parse_once_evaluate_many_sources():
    expr = parse('Join(" ", [givenName], [surname])')
    names = [expr.evaluate({"givenName": f"G{i}", "surname": f"S{i}"}) for i in range(1000)]
    assert names[0] == "G0 S0" and names[-1] == "G999 S999"
