//! Evidence (证据): photos a supervisor attaches to an entry, or an employee to an appeal,
//! and who may see them: whoever may see the event they are evidence of, nobody else.

use super::{Actor, App, Invalid, Result, member};
use crate::domain::access::{Action, Target};
use crate::intake::photo::{self, MAX_PER_RECORD, PhotoProblem};
use crate::store::{Attached, Evidence, NewPhoto};

/// A photo as it arrives: the name it had, and its bytes (bounded by the front end to
/// [`photo::MAX_BYTES`] before it was read whole).
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The company setting that keeps a photo's location: `keep_photo_location = on`.
pub const KEEP_LOCATION: &str = "keep_photo_location";

impl App {
    /// Attaches photos to event `event`: by whoever may record events for its employee.
    /// Returns how many photos the event now carries.
    pub fn attach_to_event(&self, by: &Actor, event: i64, uploads: Vec<Upload>) -> Result<usize> {
        let store = self.store()?;
        self.authorize_on_employee_of(&store, by, Action::RecordEvent, event)?;
        drop(store);
        self.attach(by, Attached::Event(event), uploads)
    }

    /// Asks `access` about `action` on the employee whose event `event` is (seeing an
    /// event is seeing its employee's record).
    fn authorize_on_employee_of(
        &self,
        store: &crate::store::Store,
        by: &Actor,
        action: Action,
        event: i64,
    ) -> Result<()> {
        let entered = store.entered(event)?;
        let record = store.staff_record(&entered.employee)?.ok_or_else(|| {
            crate::store::Error::Corrupt(format!("event {event} names no employee on file"))
        })?;
        self.authorize(by, action, &Target::Employee(member(&record, self.today)))
    }

    /// Attaches photos to appeal `appeal`: by the employee who filed it.
    pub fn attach_to_appeal(&self, by: &Actor, appeal: i64, uploads: Vec<Upload>) -> Result<usize> {
        let store = self.store()?;
        let filed = store.appeal(appeal)?;
        self.authorize_on_event(&store, by, Action::Appeal, filed.event)?;
        drop(store);
        self.attach(by, Attached::Appeal(appeal), uploads)
    }

    /// Records an entry with its photos: the photos are taken first (a photo refused
    /// stores nothing), then the event is recorded and the photos attached to it. Should
    /// attaching fail after all (the database failing), the event stands and says so.
    pub fn add_event_with_photos(
        &self,
        by: &Actor,
        entry: crate::intake::Entry,
        again: bool,
        uploads: Vec<Upload>,
    ) -> Result<super::Recorded> {
        let photos = self.take_photos(uploads)?;
        let recorded = self.add_event(by, entry, again)?;
        if let super::Recorded::Event(id) = recorded
            && !photos.is_empty()
        {
            self.attach_taken(by, Attached::Event(id), &photos)?;
        }
        Ok(recorded)
    }

    /// Files an appeal with its photos, taken first as [`App::add_event_with_photos`] does.
    pub fn file_appeal_with_photos(
        &self,
        by: &Actor,
        event: i64,
        reason: &str,
        uploads: Vec<Upload>,
    ) -> Result<i64> {
        let photos = self.take_photos(uploads)?;
        let id = self.file_appeal(by, event, reason)?;
        if !photos.is_empty() {
            self.attach_taken(by, Attached::Appeal(id), &photos)?;
        }
        Ok(id)
    }

    /// Takes every upload: its type by its bytes, its location removed unless the company
    /// keeps it, at most [`MAX_PER_RECORD`].
    fn take_photos(&self, uploads: Vec<Upload>) -> Result<Vec<photo::Photo>> {
        if uploads.len() > MAX_PER_RECORD {
            return Err(Invalid::Photo(PhotoProblem::TooMany {
                would_have: uploads.len(),
            })
            .into());
        }
        let keep = self.store()?.setting(KEEP_LOCATION)?.as_deref() == Some("on");
        Ok(uploads
            .into_iter()
            .map(|u| photo::take(&u.name, u.bytes, keep))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Invalid::Photo)?)
    }

    /// Takes every upload, then attaches them all in one transaction, or none.
    fn attach(&self, by: &Actor, to: Attached, uploads: Vec<Upload>) -> Result<usize> {
        let photos = self.take_photos(uploads)?;
        self.attach_taken(by, to, &photos)
    }

    fn attach_taken(&self, by: &Actor, to: Attached, photos: &[photo::Photo]) -> Result<usize> {
        let mut store = self.store()?;
        let new: Vec<NewPhoto> = photos
            .iter()
            .map(|p| NewPhoto {
                sha256: &p.sha256,
                mime: p.kind.mime(),
                bytes: &p.bytes,
            })
            .collect();
        store
            .attach(to, &new, MAX_PER_RECORD, &self.stamp(by))?
            .map_err(|would_have| Invalid::Photo(PhotoProblem::TooMany { would_have }).into())
    }

    /// The photos attached to event `event` and to its appeal, for whoever may see it.
    pub fn event_evidence(&self, by: &Actor, event: i64) -> Result<Vec<Evidence>> {
        let store = self.store()?;
        self.authorize_on_employee_of(&store, by, Action::View, event)?;
        let mut all = store.evidence(Attached::Event(event))?;
        if let Some(a) = store.appeals()?.into_iter().find(|a| a.event == event) {
            all.extend(store.evidence(Attached::Appeal(a.id))?);
        }
        Ok(all)
    }

    /// A photo's type and bytes, for whoever may see an event it is evidence of. A photo
    /// nobody attached (or no such hash) is "not found", the same to everyone.
    pub fn photo(&self, by: &Actor, sha256: &str) -> Result<(String, Vec<u8>)> {
        let store = self.store()?;
        let events = store.photo_events(sha256)?;
        let missing = || Invalid::NoPhoto(crate::domain::text::clip(sha256));
        let mut refusal = None;
        for event in &events {
            match self.authorize_on_employee_of(&store, by, Action::View, *event) {
                Ok(_) => {
                    return store.photo(sha256)?.ok_or_else(|| missing().into());
                }
                Err(e) => refusal = Some(e),
            }
        }
        Err(refusal.unwrap_or_else(|| missing().into()))
    }
}
