//! `same_site!`: gives every token of an item the same (call-site) span.
//!
//! interoptopus' `#[ffi]` builds code in which an identifier it declares (with the span of the
//! function name) is used again with the span of a parameter type. When the item is produced
//! by `macro_rules!`, those two spans come from different macro expansions, so hygiene treats
//! them as different variables and the expansion fails ("cannot find value `inventory`").
//! Wrapping the generated item in `same_site!` puts every token in one syntax context first.

use proc_macro::{Group, Span, TokenStream, TokenTree};

/// Re-emits the input with every span set to the call site.
#[proc_macro]
pub fn same_site(input: TokenStream) -> TokenStream {
    respan(input, Span::call_site())
}

fn respan(stream: TokenStream, span: Span) -> TokenStream {
    stream
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = TokenTree::Group(respanned);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}
