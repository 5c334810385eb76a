"""Property-based tests of every form the site accepts (issue 5 §14).

Each POST endpoint is fed hypothesis-generated input — arbitrary unicode (surrogates excepted), empty,
huge, control characters and NUL bytes, HTML and script, numbers out of range, malformed dates, format
strings, random extra keys — by the role allowed to post, with the objects it acts on in the right state.
The properties:

* never a 500 (nor on the page a redirect leads to);
* input the site refuses is refused with a reason in Chinese on the page (a form error or an error
  message), and nothing at all is saved (every row of the project's tables is compared before/after);
* input the site accepts leaves only rows that pass their model's own validation (full_clean) and the
  rules the forms and services state (checked here independently of the form code);
* for the main forms, generated VALID input is accepted (a redirect, and the row saved).

The package: strategies.py (the generated input), checks.py (the properties, and the pages that show what was
saved), forms.py (each form's valid body and the rules of what it may save), fixtures.py (the objects a form
acts on, in the right state), and one test module per area. The inputs the fuzzing found are kept as plain
tests in the test packages of the apps they are about (test_found_by_fuzzing.py).

Every hypothesis example runs inside a savepoint that is rolled back, so each starts from the state the
fixtures built, with a fresh client and an empty cache (throttle counters).
"""
