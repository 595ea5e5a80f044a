//! Expansion: the trait impls, constants, serde impls and registration for a validated model.

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ast::{KindField, KindInput};
use crate::valid::{Model, validate};

/// The whole derive, on `proc_macro2` tokens so that it can be unit-tested.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    let parsed = match KindInput::from_derive_input(&input) {
        Ok(parsed) => parsed,
        Err(err) => return fallback(&input, err),
    };
    let attr_span = input
        .attrs
        .iter()
        .find(|a| a.path().is_ident("kind"))
        .map_or_else(|| input.ident.span(), |a| syn::spanned::Spanned::span(a.path()));
    match validate(&parsed, attr_span) {
        Ok(model) => expand(&model),
        Err(err) => fallback(&input, err),
    }
}

/// On error: the errors, plus stub serde impls so that code using the type reports nothing else.
fn fallback(input: &syn::DeriveInput, err: darling::Error) -> TokenStream {
    let errors = err.write_errors();
    if !input.generics.params.is_empty() {
        return errors;
    }
    let ident = &input.ident;
    quote! {
        #errors
        #[automatically_derived]
        impl ::kube_scheme::__private::serde::Serialize for #ident {
            fn serialize<S: ::kube_scheme::__private::serde::Serializer>(&self, _: S) -> ::core::result::Result<S::Ok, S::Error> {
                ::core::unreachable!()
            }
        }
        #[automatically_derived]
        impl<'de> ::kube_scheme::__private::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::kube_scheme::__private::serde::Deserializer<'de>>(_: D) -> ::core::result::Result<Self, D::Error> {
                ::core::unreachable!()
            }
        }
    }
}

/// `spec_template` → `specTemplate`, as Kubernetes names JSON fields.
fn camel_case(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}

fn has_serde_key(field: &KindField, key: &str) -> bool {
    field.attrs.iter().any(|attr| {
        let mut found = false;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                found = true;
            }
            // Skip any value so parsing goes on.
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                let _: TokenStream = content.parse()?;
            }
            Ok(())
        });
        found
    })
}

fn expand(model: &Model<'_>) -> TokenStream {
    let KindInput { ident, .. } = model.input;
    let krate = &model.krate;
    let (group, version, kind, plural) = (&model.group, &model.version, &model.kind, &model.plural);
    let api_version = if group.is_empty() {
        version.clone()
    } else {
        format!("{group}/{version}")
    };
    let list_kind = format!("{kind}List");
    let k8s = quote!(#krate::__private::k8s_openapi);
    let serde = quote!(#krate::__private::serde);
    let serde_path = format!("{}", quote!(#krate::__private::serde)).replace(' ', "");
    let (scope_ty, scope_val) = if model.namespaced {
        (quote!(#k8s::NamespaceResourceScope), quote!(#krate::Scope::Namespaced))
    } else {
        (quote!(#k8s::ClusterResourceScope), quote!(#krate::Scope::Cluster))
    };

    let fields = model.input.data.as_ref().take_struct().expect("validated").fields;
    let mut ser_fields = Vec::new();
    let mut de_fields = Vec::new();
    let mut moves = Vec::new();
    for field in &fields {
        let name = field.ident.as_ref().expect("named fields");
        let ty = &field.ty;
        let attrs = &field.attrs;
        let rename = (!has_serde_key(field, "rename")).then(|| {
            let json = camel_case(name);
            quote!(#[serde(rename = #json)])
        });
        let skip_none = (is_option(ty) && !has_serde_key(field, "skip_serializing_if"))
            .then(|| quote!(#[serde(skip_serializing_if = "Option::is_none")]));
        let default = (name == "metadata" && !has_serde_key(field, "default")).then(|| quote!(#[serde(default)]));
        ser_fields.push(quote! { #rename #skip_none #(#attrs)* #name: &'__a #ty });
        de_fields.push(quote! { #rename #default #(#attrs)* #name: #ty });
        moves.push(name);
    }
    let ser_struct = format_ident!("__{}KindSer", ident);
    let de_struct = format_ident!("__{}KindDe", ident);
    let field_refs = moves.iter().map(|name| quote!(#name: &self.#name));

    quote! {
        #[automatically_derived]
        impl #ident {
            /// The API group of this kind.
            pub const GROUP: &'static str = #group;
            /// The API version of this kind.
            pub const VERSION: &'static str = #version;
            /// The kind.
            pub const KIND: &'static str = #kind;
            /// `group/version`.
            pub const API_VERSION: &'static str = #api_version;
            /// The plural resource name used in URLs.
            pub const PLURAL: &'static str = #plural;
            /// The kind of a list of these.
            pub const LIST_KIND: &'static str = #list_kind;
            /// Namespaced or cluster-scoped.
            pub const SCOPE: #krate::Scope = #scope_val;

            /// The GroupVersionKind of this type.
            pub fn gvk() -> #krate::GroupVersionKind {
                #krate::GroupVersionKind::gvk(#group, #version, #kind)
            }
        }

        #[automatically_derived]
        impl #k8s::Resource for #ident {
            const API_VERSION: &'static str = #api_version;
            const GROUP: &'static str = #group;
            const KIND: &'static str = #kind;
            const VERSION: &'static str = #version;
            const URL_PATH_SEGMENT: &'static str = #plural;
            type Scope = #scope_ty;
        }

        #[automatically_derived]
        impl #k8s::ListableResource for #ident {
            const LIST_KIND: &'static str = #list_kind;
        }

        #[automatically_derived]
        impl #k8s::Metadata for #ident {
            type Ty = #k8s::apimachinery::pkg::apis::meta::v1::ObjectMeta;
            fn metadata(&self) -> &Self::Ty {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut Self::Ty {
                &mut self.metadata
            }
        }

        #[automatically_derived]
        impl #krate::ObjectKind for #ident {
            fn object_gvk(&self, scheme: &#krate::Scheme) -> #krate::Result<#krate::GroupVersionKind> {
                scheme.gvk_for::<Self>()
            }
        }

        #krate::__private::inventory::submit! {
            #krate::Registration::new(|scheme| scheme.register::<#ident>().map(|_| ()))
        }

        #[automatically_derived]
        impl #serde::Serialize for #ident {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                #[derive(#serde::Serialize)]
                #[serde(crate = #serde_path)]
                struct #ser_struct<'__a> {
                    #[serde(rename = "apiVersion")]
                    __api_version: &'static str,
                    #[serde(rename = "kind")]
                    __kind: &'static str,
                    #(#ser_fields,)*
                }
                #serde::Serialize::serialize(
                    &#ser_struct { __api_version: #api_version, __kind: #kind, #(#field_refs,)* },
                    serializer,
                )
            }
        }

        #[automatically_derived]
        impl<'de> #serde::Deserialize<'de> for #ident {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                #[derive(#serde::Deserialize)]
                #[serde(crate = #serde_path)]
                struct #de_struct {
                    #[serde(rename = "apiVersion", default)]
                    __api_version: ::core::option::Option<::std::string::String>,
                    #[serde(rename = "kind", default)]
                    __kind: ::core::option::Option<::std::string::String>,
                    #(#de_fields,)*
                }
                let de = <#de_struct as #serde::Deserialize>::deserialize(deserializer)?;
                if let ::core::option::Option::Some(found) = de.__api_version.as_deref().filter(|s| !s.is_empty()) {
                    if found != #api_version {
                        return ::core::result::Result::Err(<D::Error as #serde::de::Error>::custom(::std::format!(
                            "wrong apiVersion for {}: expected `{}`, found `{}`", #kind, #api_version, found
                        )));
                    }
                }
                if let ::core::option::Option::Some(found) = de.__kind.as_deref().filter(|s| !s.is_empty()) {
                    if found != #kind {
                        return ::core::result::Result::Err(<D::Error as #serde::de::Error>::custom(::std::format!(
                            "wrong kind: expected `{}`, found `{}`", #kind, found
                        )));
                    }
                }
                ::core::result::Result::Ok(#ident { #(#moves: de.#moves,)* })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).expect("derive output parses as a file"))
    }

    #[test]
    fn expands_a_namespaced_kind() {
        let out = derive(quote! {
            #[kind(group = "stable.example.com", version = "v1", kind = "CronTab", namespaced)]
            pub struct CronTab {
                pub metadata: ObjectMeta,
                pub spec: CronTabSpec,
                pub status: Option<CronTabStatus>,
            }
        });
        insta::assert_snapshot!(pretty(out));
    }

    #[test]
    fn camel_cases_field_names() {
        let id: syn::Ident = syn::parse_quote!(spec_template_v2);
        assert_eq!(camel_case(&id), "specTemplateV2");
        let id: syn::Ident = syn::parse_quote!(r#type);
        assert_eq!(camel_case(&id), "type");
    }

    #[test]
    fn errors_are_all_reported_at_once() {
        let out = derive(quote! {
            #[kind(group = "Bad_Group", version = "V1", kind = "lower")]
            pub struct Thing { pub spec: String }
        })
        .to_string();
        for needle in [
            "invalid group",
            "invalid version",
            "invalid kind",
            "scope must be stated",
            "metadata: ObjectMeta",
        ] {
            assert!(out.contains(needle), "missing `{needle}` in {out}");
        }
    }
}
