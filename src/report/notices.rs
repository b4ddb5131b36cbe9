//! The outbox and its channels, as HR reads them (`appraise notify list`, `notify channel
//! list`), and the photos attached as evidence: states, kinds and channel kinds by their
//! labels; JSON keeps the ids.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::Glossary;
use crate::domain::labels::moment_at;
use crate::domain::notice::NoticeKind;
use crate::store::{Channel, ChannelShown, Queued};

/// `appraise notify list`.
#[derive(Debug, Serialize)]
pub struct NoticesView {
    pub notices: Vec<Queued>,
}

impl Records for NoticesView {
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.notices)
            .right("编号", |n| n.id.to_string())
            .left("类型", |n| {
                n.kind
                    .parse::<NoticeKind>()
                    .map_or_else(|_| n.kind.clone(), |k| k.label().to_string())
            })
            .id("类型编号", |n| n.kind.clone())
            .left("收件人", |n| n.recipient.clone())
            .left("状态", |n| n.state.label().to_string())
            .id("状态编号", |n| n.state.id().to_string())
            .right("尝试", |n| n.attempts.to_string())
            .minor()
            .left("时间", |n| moment_at(n.sent_at.unwrap_or(n.created)))
            .left("渠道", |n| n.channel.clone().unwrap_or_default())
            .minor()
            .text("内容或错误", |n| match &n.last_error {
                Some(e) => e.clone(),
                None => n.text.clone(),
            })
            .done()
    }
}

/// `appraise notify channel list`: never an address's key or a secret.
#[derive(Debug)]
pub struct ChannelsView {
    pub channels: Vec<Channel>,
}

impl Serialize for ChannelsView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let shown: Vec<ChannelShown> = self.channels.iter().map(ChannelShown).collect();
        let mut st = s.serialize_struct("ChannelsView", 1)?;
        st.serialize_field("channels", &shown)?;
        st.end()
    }
}

impl Records for ChannelsView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.channels)
            .left("名称", |c| c.name.clone())
            .left("类型", |c| c.kind.label().to_string())
            .id("类型编号", |c| c.kind.id().to_string())
            .left("地址", |c| c.shown())
            .left("部门", |c| {
                c.department.as_deref().map_or_else(
                    || "（默认）".to_string(),
                    |d| words.department(d).to_string(),
                )
            })
            .id("部门编号", |c| c.department.clone().unwrap_or_default())
            .left("签名", |c| {
                if c.secret.is_some() { "有" } else { "无" }.to_string()
            })
            .left("设置人", |c| c.added_by.clone())
            .done()
    }
}

/// `appraise log evidence ID`: the photos of an event and of its appeal, by their hashes.
#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub event: i64,
    pub photos: Vec<crate::store::Evidence>,
}

impl Records for EvidenceView {
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.photos)
            .left("SHA-256", |p| p.sha256.clone())
            .left("类型", |p| p.mime.clone())
            .right("大小", |p| format!("{} KB", (p.size + 1023) / 1024))
            .left("上传人", |p| p.by.clone())
            .left("时间", |p| crate::domain::labels::moment(&p.at))
            .done()
    }
}
