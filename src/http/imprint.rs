//! The imprint as people read it: the footer of every public page (the
//! service's name, its operator, the complaint hotline and the ICP and
//! public-security filings) and the issuing body and hotline of a QR poster.
//! The values come from [`Imprint`]; one that is not configured is left out,
//! label and all.

use crate::config::Imprint;
use crate::http::html::Chrome;
use crate::i18n::{FooterTexts, Lang, Messages, messages};

/// Where every ICP filing number can be checked (工业和信息化部备案管理系统).
pub const ICP_FILING_LOOKUP: &str = "https://beian.miit.gov.cn/";

/// Where a public-security filing is checked; its digits follow `code=`.
const PSB_FILING_LOOKUP: &str = "https://beian.mps.gov.cn/#/query/webSearch?code=";

/// One piece of the footer: a label (possibly empty) and a text, linked or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FooterItem {
    /// Printed before the text, punctuation included ("投诉热线：").
    pub label: &'static str,
    /// The configured value.
    pub text: String,
    /// Where the text links to, if anywhere.
    pub href: Option<String>,
    /// Whether the link leaves the service (it then sends no referrer).
    pub external: bool,
}

/// The footer of a public page; empty when nothing is configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFooter {
    /// The service's name, printed first.
    pub service_name: Option<String>,
    /// Operator, hotline and filings, in that order.
    pub items: Vec<FooterItem>,
}

impl SiteFooter {
    /// The footer of `imprint` in the page language of `m`.
    pub fn new(m: &'static Messages, imprint: &Imprint) -> Self {
        let t: &'static FooterTexts = &m.footer;
        let mut items = Vec::new();
        if let Some(operator) = &imprint.operator {
            items.push(FooterItem {
                label: &t.operator,
                text: operator.clone(),
                href: None,
                external: false,
            });
        }
        if let Some(hotline) = &imprint.complaint_hotline {
            items.push(FooterItem {
                label: &t.hotline,
                text: hotline.clone(),
                href: Some(tel_href(hotline)),
                external: false,
            });
        }
        if let Some(icp) = &imprint.icp_filing {
            items.push(FooterItem {
                label: "",
                text: icp.clone(),
                href: Some(ICP_FILING_LOOKUP.to_owned()),
                external: true,
            });
        }
        if let Some(psb) = &imprint.psb_filing {
            let digits: String = psb.chars().filter(char::is_ascii_digit).collect();
            items.push(FooterItem {
                label: "",
                text: psb.clone(),
                href: (!digits.is_empty()).then(|| format!("{PSB_FILING_LOOKUP}{digits}")),
                external: true,
            });
        }
        Self {
            service_name: imprint.service_name.clone(),
            items,
        }
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.service_name.is_none() && self.items.is_empty()
    }
}

/// A `tel:` link for a number as configured (spaces dropped).
fn tel_href(number: &str) -> String {
    let dialled: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    format!("tel:{dialled}")
}

impl Chrome {
    /// The same chrome with the imprint's footer (public pages carry it).
    pub fn with_imprint(mut self, imprint: &Imprint) -> Self {
        self.footer = SiteFooter::new(self.m, imprint);
        self
    }
}

/// The poster's lines about who stands behind it, labelled in every page
/// language (the poster speaks all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PosterImprint {
    /// "监制单位 / … / Issued by: …", when an issuing body is configured.
    pub issuer: Option<String>,
    /// "投诉热线 / … / Complaint hotline: …", when a hotline is configured.
    pub hotline: Option<String>,
}

impl PosterImprint {
    /// The lines of `imprint`, labelled in every language.
    pub fn new(imprint: &Imprint) -> Self {
        let line = |label: fn(&FooterTexts) -> &str, value: &str| {
            let labels: Vec<&str> = Lang::ALL
                .into_iter()
                .map(|lang| label(&messages(lang).footer))
                .collect();
            format!("{}: {value}", labels.join(" / "))
        };
        Self {
            issuer: imprint
                .poster_issuer
                .as_deref()
                .map(|v| line(|f| &f.poster_issuer, v)),
            hotline: imprint
                .complaint_hotline
                .as_deref()
                .map(|v| line(|f| &f.poster_hotline, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, messages};

    fn full() -> Imprint {
        Imprint {
            service_name: Some("巴州游客服务评价".into()),
            operator: Some("巴音郭楞州文化和旅游局".into()),
            complaint_hotline: Some("0996 12345".into()),
            icp_filing: Some("新ICP备2024000001号-1".into()),
            psb_filing: Some("新公网安备65280102000001号".into()),
            poster_issuer: Some("巴音郭楞州文旅局".into()),
        }
    }

    #[test]
    fn every_configured_value_is_an_item_and_unset_ones_are_left_out() {
        let footer = SiteFooter::new(messages(Lang::Zh), &full());
        assert_eq!(footer.service_name.as_deref(), Some("巴州游客服务评价"));
        let texts: Vec<&str> = footer.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "巴音郭楞州文化和旅游局",
                "0996 12345",
                "新ICP备2024000001号-1",
                "新公网安备65280102000001号"
            ]
        );
        assert_eq!(footer.items[1].href.as_deref(), Some("tel:099612345"));
        assert_eq!(footer.items[2].href.as_deref(), Some(ICP_FILING_LOOKUP));
        assert!(
            footer.items[3]
                .href
                .as_deref()
                .unwrap()
                .ends_with("code=65280102000001")
        );

        let only_hotline = Imprint {
            complaint_hotline: Some("12345".into()),
            ..Imprint::default()
        };
        let footer = SiteFooter::new(messages(Lang::En), &only_hotline);
        assert_eq!(footer.items.len(), 1);
        assert!(footer.service_name.is_none());
        assert!(SiteFooter::new(messages(Lang::En), &Imprint::default()).is_empty());
    }

    #[test]
    fn the_poster_names_its_issuer_and_hotline_in_every_language() {
        let poster = PosterImprint::new(&full());
        let issuer = poster.issuer.unwrap();
        let labels: Vec<&str> = Lang::ALL
            .into_iter()
            .map(|lang| messages(lang).footer.poster_issuer.as_str())
            .collect();
        assert!(
            issuer.starts_with(&format!("{}: ", labels.join(" / "))),
            "{issuer}"
        );
        assert!(issuer.starts_with("监制单位 / ") && issuer.contains(" / Issued by: "));
        assert!(issuer.ends_with("巴音郭楞州文旅局"), "{issuer}");
        assert!(poster.hotline.unwrap().ends_with(": 0996 12345"));
        let none = PosterImprint::new(&Imprint::default());
        assert_eq!(none, PosterImprint::default());
    }
}
