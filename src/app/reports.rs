//! Documents people print, file or open in a spreadsheet: the department's monthly
//! statement, the annual rating sheet, the reward/penalty recommendation.

use std::collections::BTreeMap;

use super::{Actor, App, Error, Invalid, Result};
use crate::domain::labels;
use crate::domain::month::Month;
use crate::evaluation::documents;
use crate::evaluation::evaluate::{Evaluation, Selection, rated_months};
use crate::report::{html, markdown, workbook};

/// The formats a document can be produced in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// Self-contained HTML, for the screen and A4 print.
    Html,
    Markdown,
    /// An Excel workbook.
    Xlsx,
    /// UTF-8 CSV with a byte-order mark, which Excel opens as UTF-8.
    Csv,
}

impl Document {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Document::Html => "html",
            Document::Markdown => "md",
            Document::Xlsx => "xlsx",
            Document::Csv => "csv",
        }
    }
}

impl App {
    /// The Department Monthly Appraisal Statement (部门月度考评说明书), as HTML, Markdown or a
    /// workbook.
    pub fn statement(
        &self,
        by: &Actor,
        department: &str,
        month: Month,
        format: Document,
    ) -> Result<Vec<u8>> {
        self.check_report(by, Some(department))?;
        let (store, rulebook) = self.store_and_rules()?;
        let eval = Evaluation::official(&store, &rulebook);
        let dept = store
            .departments()?
            .into_iter()
            .find(|d| d.id == department)
            .ok_or_else(|| Invalid::NoDepartment(department.to_string()))?;
        let sel = Selection {
            department: Some(department.to_string()),
            employee: None,
            ..Default::default()
        };
        // The months from the one before the year's first (for December's change) to
        // this one, scored in one pass. Months before any policy governs have no scores to
        // compare with; any other failure is an error, never a silently missing month.
        let first = Month::new(month.year(), 1)
            .expect("January is a month")
            .prev();
        let months: Vec<Month> = std::iter::successors(Some(first), |m| Some(m.next()))
            .take_while(|m| *m <= month)
            .filter(|m| *m == month || rulebook.governing(department, *m).is_some())
            .collect();
        let year = eval.months(&months, &sel, month)?;
        let head_name = match &dept.head {
            Some(h) => store.staff_record(h)?.map(|r| r.at(month).name.clone()),
            None => None,
        };
        let policy = rulebook.governing(department, month);
        let policy_names = rulebook
            .versions()
            .map(|(_, p)| (p.id.clone(), p.name.clone()))
            .collect();
        let references = rulebook
            .versions()
            .flat_map(|(_, p)| p.references())
            .map(|(id, r)| (id.to_string(), r.to_string()))
            .collect();
        let s = documents::statement(
            &dept,
            head_name.as_deref(),
            documents::PolicyWords {
                names: policy_names,
                references,
            },
            month,
            &year,
        );
        let pass_mark = policy.map(|p| p.scoring.pass_mark.to_f64());
        Ok(match format {
            Document::Markdown => markdown::statement(&s).into_bytes(),
            Document::Xlsx => {
                workbook::statement_xlsx(&s).map_err(|e| Error::Document(e.to_string()))?
            }
            _ => html::statement(&s, pass_mark).into_bytes(),
        })
    }

    /// The annual rating sheet: grades, outcomes, flags and review status; as HTML it adds
    /// the calibration charts.
    pub fn rating_sheet(
        &self,
        by: &Actor,
        year: i32,
        department: Option<String>,
        through: Option<Month>,
        format: Document,
    ) -> Result<Vec<u8>> {
        self.check_report(by, department.as_deref())?;
        let (store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, through, self.today)?;
        let sel = Selection {
            department: department.clone(),
            employee: None,
            ..Default::default()
        };
        let mut results = Evaluation::official(&store, &rulebook).ratings(year, &months, &sel)?;
        let of_record = super::reviews::OfRecord::load(&store, &rulebook, year)?;
        for r in &mut results {
            of_record.apply(r);
        }
        let reviews = store.reviews(year)?;
        let mut labels = BTreeMap::new();
        let mut flag_labels = BTreeMap::new();
        let mut ladder: Vec<String> = Vec::new();
        for r in &results {
            if let Some(p) = rulebook.by_hash(&r.policy.hash) {
                for (f, l) in &p.flag_labels {
                    flag_labels.entry(f.clone()).or_insert_with(|| l.clone());
                }
                for g in &p.grades {
                    labels
                        .entry(g.id.clone())
                        .or_insert_with(|| g.label.clone());
                    if !ladder.contains(&g.label) {
                        ladder.push(g.label.clone());
                    }
                }
            }
        }
        let names: BTreeMap<String, String> = store
            .departments()?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let last = *months.last().expect("rated_months is never empty");
        let mark = results
            .first()
            .and_then(|r| rulebook.by_hash(&r.policy.hash))
            .map(|p| p.scoring.pass_mark.to_f64());
        let sheet = documents::rating_sheet(
            documents::SheetInput {
                year,
                through: last,
                department,
                labels: &labels,
                departments: &names,
                flag_labels,
                ladder,
            },
            results,
            &reviews,
        );
        Ok(match format {
            Document::Xlsx => {
                workbook::xlsx_bytes(&sheet).map_err(|e| Error::Document(e.to_string()))?
            }
            Document::Csv => workbook::csv_bytes(&sheet),
            Document::Html | Document::Markdown => html::rating_sheet(&sheet, mark).into_bytes(),
        })
    }

    /// The Employee Reward/Penalty Recommendation (员工奖惩建议书), pre-filled from the
    /// record, as HTML or Markdown.
    pub fn recommendation(
        &self,
        by: &Actor,
        employee: &str,
        year: i32,
        format: Document,
    ) -> Result<Vec<u8>> {
        self.check_view(by, employee)?;
        let (store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, None, self.today)?;
        let sel = Selection {
            department: None,
            employee: Some(employee.to_string()),
            ..Default::default()
        };
        let Some(mut result) = Evaluation::official(&store, &rulebook)
            .year(year, &months, &sel)?
            .pop()
        else {
            return Err(Error::NotEmployed {
                employee: employee.to_string(),
                period: year.to_string(),
            });
        };
        super::reviews::OfRecord::load(&store, &rulebook, year)?.apply(&mut result.rating);
        let last = result
            .months
            .last()
            .map_or(Month::of(self.today), |m| m.month);
        let staff = store
            .staff_record(employee)?
            .ok_or_else(|| Invalid::NoEmployee(employee.to_string()))?
            .at(last)
            .clone();
        let review = store
            .reviews(year)?
            .into_iter()
            .find(|r| r.employee == employee);
        let department = store
            .departments()?
            .into_iter()
            .find(|d| d.id == result.rating.department);
        let recorders = store
            .events(&crate::store::EventFilter {
                employee: Some(employee.to_string()),
                ..Default::default()
            })?
            .into_iter()
            .map(|e| (e.id, (e.recorded_by.into_owned(), e.note)))
            .collect();
        let evidence = self.year_evidence(&store, &result, year)?;
        // The signers by name and role, as the staff file has them in the year's last month
        // (a login that is no employee keeps its name as signed).
        let mut signers = BTreeMap::new();
        for s in review.iter().flat_map(|r| &r.signatures) {
            if let Some(record) = store.staff_record(&s.signer)? {
                let e = record.at(last);
                let role = labels::staff_role(&e.role);
                signers.insert(
                    s.signer.clone(),
                    format!("{}（{}，{role}）", e.name, s.signer),
                );
            }
        }
        let r = documents::recommendation(
            &result,
            documents::RecommendationInput {
                staff: &staff,
                department_name: department.as_ref().map_or("", |d| d.name.as_str()),
                review,
                policy: rulebook
                    .by_hash(&result.rating.policy.hash)
                    .map(|p| p.as_ref()),
                recorders: &recorders,
                signers,
                evidence,
            },
        );
        Ok(match format {
            Document::Markdown => markdown::recommendation(&r),
            _ => html::recommendation(&r),
        }
        .into_bytes())
    }

    /// The photos of an employee's year, each with its event's day and rule; a photo of at
    /// most [`EMBEDDED`] bytes travels inside the document.
    fn year_evidence(
        &self,
        store: &crate::store::Store,
        result: &crate::evaluation::evaluate::YearResult,
        year: i32,
    ) -> Result<Vec<documents::EvidencePhoto>> {
        use base64::Engine as _;
        let items: BTreeMap<i64, (String, String)> = result
            .months
            .iter()
            .flat_map(|m| &m.items)
            .filter_map(|i| {
                let day = i.date.map(|d| d.to_string()).unwrap_or_default();
                Some((i.event?, (day, i.name().to_string())))
            })
            .collect();
        let mut out = Vec::new();
        for (event, photo) in store.evidence_of(&result.rating.employee, year)? {
            let (date, rule) = items.get(&event).cloned().unwrap_or_default();
            let image = if photo.size as usize <= EMBEDDED {
                store.photo(&photo.sha256)?.map(|(mime, bytes)| {
                    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                    format!("data:{mime};base64,{data}")
                })
            } else {
                None
            };
            out.push(documents::EvidencePhoto {
                date,
                event,
                rule,
                sha256: photo.sha256,
                by: photo.by,
                image,
            });
        }
        out.sort_by(|a, b| (&a.date, a.event).cmp(&(&b.date, b.event)));
        Ok(out)
    }
}

/// The largest photo a recommendation carries inside itself; a larger one is named by its
/// hash (it is in the record, `GET /photos/HASH`).
const EMBEDDED: usize = 1024 * 1024;
