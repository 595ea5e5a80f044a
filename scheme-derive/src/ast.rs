//! Parsing `#[kind(...)]` with darling into an IR that keeps every token's span.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField};

/// The derive input as written.
#[derive(FromDeriveInput)]
#[darling(attributes(kind), supports(struct_named))]
pub struct KindInput {
    pub ident: syn::Ident,
    pub generics: syn::Generics,
    pub data: darling::ast::Data<(), KindField>,
    #[darling(default)]
    pub group: Option<SpannedValue<String>>,
    #[darling(default)]
    pub version: Option<SpannedValue<String>>,
    #[darling(default)]
    pub kind: Option<SpannedValue<String>>,
    #[darling(default)]
    pub plural: Option<SpannedValue<String>>,
    #[darling(default)]
    pub namespaced: Flag,
    #[darling(default)]
    pub cluster: Flag,
    #[darling(default, rename = "crate")]
    pub crate_path: Option<syn::Path>,
}

/// One named field, with its `#[serde(...)]` attributes.
#[derive(FromField)]
#[darling(forward_attrs(serde))]
pub struct KindField {
    pub ident: Option<syn::Ident>,
    pub ty: syn::Type,
    pub attrs: Vec<syn::Attribute>,
}
