//! The signatures the receivers check, each as its platform publishes it.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// DingTalk's 加签: base64(HMAC-SHA256(key = secret, message = `ms + "\n" + secret`)),
/// with `ms` the Unix time in milliseconds (URL-encoded by the caller, as a query value).
pub fn dingtalk(secret: &str, ms: i64) -> String {
    let message = format!("{ms}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac(secret.as_bytes(), message.as_bytes()))
}

/// Feishu's 签名校验: base64(HMAC-SHA256(key = `s + "\n" + secret`, message = empty)), with
/// `s` the Unix time in seconds. Key and message are the other way round from DingTalk's.
pub fn feishu(secret: &str, s: i64) -> String {
    let key = format!("{s}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac(key.as_bytes(), b""))
}

/// The generic webhook's `X-Appraise-Signature`: `sha256=` and the hex HMAC-SHA256 of the
/// body with the channel's secret.
pub fn webhook(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        crate::domain::text::hex(&hmac(secret.as_bytes(), body))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2: HMAC-SHA256 with key "Jefe".
    #[test]
    fn the_webhook_signature_is_hmac_sha256_in_hex() {
        assert_eq!(
            webhook("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn dingtalk_and_feishu_put_key_and_message_the_other_way_round() {
        let secret = "SEC000";
        let d = dingtalk(secret, 1_700_000_000_000);
        let f = feishu(secret, 1_700_000_000);
        // Both are base64 of a 32-byte MAC.
        assert_eq!(d.len(), 44);
        assert_eq!(f.len(), 44);
        let by_hand =
            base64::engine::general_purpose::STANDARD.encode(hmac(b"1700000000\nSEC000", b""));
        assert_eq!(f, by_hand);
        let by_hand = base64::engine::general_purpose::STANDARD
            .encode(hmac(b"SEC000", b"1700000000000\nSEC000"));
        assert_eq!(d, by_hand);
    }
}
