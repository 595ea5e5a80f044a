//! Compile-fail tests for `#[derive(Kind)]`: every bad attribute is an error on its own token.

#[test]
fn bad_attributes_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
