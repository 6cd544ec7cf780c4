//! The DEP API's account and device operations against the state: `GET /account`,
//! `POST /server/devices` (fetch), `POST /devices/sync` and `POST /devices` (details).
//!
//! Behaviour follows Apple's endpoint pages (developer.apple.com/documentation/devicemanagement):
//! "Fetch Devices" pages through every device assigned to the server with a cursor (`limit`
//! defaults to 100, at most 1000); "Sync the List of Devices" returns the changes (`op_type`
//! `added`, `modified`, `deleted` with `op_date`) since a cursor, which is required and
//! "should not be older than 7 days" (`EXPIRED_CURSOR`); "Get Device Details" answers per
//! serial, `NOT_ACCESSIBLE` for serials that are not in the account or belong to another
//! server. A fetch that already returned everything answers `EXHAUSTED_CURSOR` (nanodep's
//! `IsCursorExhausted`). A fetch walks a snapshot of the serials taken when it started, so
//! pages stay stable while devices move; changes made meanwhile surface in the next sync.

use std::sync::Arc;

use time::OffsetDateTime;

use super::state::{
    AppleAdeState, Cursor, CursorKind, CURSOR_LIFETIME, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};
use crate::rng::SeededRng;
use crate::wire::dep::{
    AccountDetail, AccountUrl, DepDevice, DepErrorCode, DeviceDetailsResponse, DeviceListResponse,
    DeviceStatus, UrlLimit,
};

/// The endpoints `GET /account` lists, with their methods and page limits.
const ENDPOINTS: &[(&str, &[&str], bool)] = &[
    ("/session", &["GET"], false),
    ("/account", &["GET"], false),
    ("/server/devices", &["POST"], true),
    ("/devices/sync", &["POST"], true),
    ("/devices", &["POST"], false),
    ("/profile", &["POST", "GET"], false),
    ("/profile/devices", &["POST", "PUT", "DELETE"], false),
];

fn page_size(limit: Option<u32>) -> usize {
    match limit {
        None | Some(0) => DEFAULT_PAGE_SIZE as usize,
        Some(n) => n.min(MAX_PAGE_SIZE) as usize,
    }
}

impl AppleAdeState {
    /// `GET /account` for the MDM server `server`.
    pub fn account(&self, server: &str) -> Result<AccountDetail, DepErrorCode> {
        let srv = self.servers.get(server).ok_or(DepErrorCode::Unauthorized)?;
        let org = &self.organization;
        let urls = ENDPOINTS
            .iter()
            .map(|(uri, methods, paged)| AccountUrl {
                uri: (*uri).to_string(),
                http_method: methods.iter().map(|m| (*m).to_string()).collect(),
                limit: paged.then_some(UrlLimit {
                    default: DEFAULT_PAGE_SIZE,
                    maximum: MAX_PAGE_SIZE,
                }),
            })
            .collect();
        Ok(AccountDetail {
            server_name: srv.name.clone(),
            server_uuid: srv.uuid.clone(),
            admin_id: org.admin_id.clone(),
            facilitator_id: None,
            org_name: org.name.clone(),
            org_email: org.email.clone(),
            org_phone: org.phone.clone(),
            org_address: org.address.clone(),
            org_id: Some(org.org_id.clone()),
            org_id_hash: Some(org.org_id_hash.clone()),
            org_type: Some(org.org_type.clone()),
            org_version: Some(org.org_version.clone()),
            urls: Some(urls),
        })
    }

    /// Looks a cursor up for `server`, checking that it is Apple's, the server's and fresh.
    fn cursor_for(
        &self,
        server: &str,
        cursor: &str,
        now: OffsetDateTime,
    ) -> Result<Cursor, DepErrorCode> {
        let c = self
            .cursors
            .get(cursor)
            .filter(|c| c.server == server)
            .ok_or(DepErrorCode::InvalidCursor)?;
        if now - c.issued_at > CURSOR_LIFETIME {
            return Err(DepErrorCode::ExpiredCursor);
        }
        Ok(c.clone())
    }

    fn issue_cursor(
        &mut self,
        server: &str,
        kind: CursorKind,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> String {
        let token = rng.hex(24).to_uppercase();
        self.cursors.insert(
            token.clone(),
            Cursor {
                server: server.to_string(),
                issued_at: now,
                kind,
            },
        );
        token
    }

    /// `POST /server/devices`: the next page of the devices assigned to `server`.
    pub fn fetch_devices(
        &mut self,
        server: &str,
        cursor: Option<&str>,
        limit: Option<u32>,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<DeviceListResponse, DepErrorCode> {
        let (snapshot, offset, event_mark) = match cursor.filter(|c| !c.is_empty()) {
            None => {
                let serials: Arc<[String]> = self
                    .devices
                    .values()
                    .filter(|d| d.mdm_server.as_deref() == Some(server))
                    .map(|d| d.serial_number.clone())
                    .collect();
                (serials, 0, self.events.len())
            }
            Some(c) => match self.cursor_for(server, c, now)?.kind {
                CursorKind::Fetch {
                    snapshot,
                    offset,
                    event_mark,
                } if offset < snapshot.len() => (snapshot, offset, event_mark),
                _ => return Err(DepErrorCode::ExhaustedCursor),
            },
        };
        let end = offset.saturating_add(page_size(limit)).min(snapshot.len());
        let devices: Vec<DepDevice> = snapshot
            .get(offset..end)
            .unwrap_or_default()
            .iter()
            .filter(|serial| self.accessible(server, serial))
            .filter_map(|serial| self.dep_device(serial))
            .collect();
        let more_to_follow = end < snapshot.len();
        let next = self.issue_cursor(
            server,
            CursorKind::Fetch {
                snapshot,
                offset: end,
                event_mark,
            },
            rng,
            now,
        );
        Ok(DeviceListResponse {
            cursor: next,
            devices,
            fetched_until: now,
            more_to_follow,
        })
    }

    /// `POST /devices/sync`: the changes for `server` since `cursor`.
    pub fn sync_devices(
        &mut self,
        server: &str,
        cursor: Option<&str>,
        limit: Option<u32>,
        rng: &SeededRng,
        now: OffsetDateTime,
    ) -> Result<DeviceListResponse, DepErrorCode> {
        let cursor = cursor
            .filter(|c| !c.is_empty())
            .ok_or(DepErrorCode::CursorRequired)?;
        let mark = match self.cursor_for(server, cursor, now)?.kind {
            CursorKind::Fetch { event_mark, .. } | CursorKind::Sync { event_mark } => event_mark,
        };
        let size = page_size(limit);
        let mut devices = Vec::new();
        let mut next_mark = self.events.len();
        for (i, event) in self.events.iter().enumerate().skip(mark) {
            if event.server != server {
                continue;
            }
            if devices.len() == size {
                next_mark = i;
                break;
            }
            let mut record = match self.dep_device(&event.serial) {
                Some(mut d) if self.accessible(server, &event.serial) => {
                    d.response_status = None;
                    d
                }
                Some(d) => {
                    // Still in the account but no longer this server's: only what the
                    // server may know.
                    let mut bare = DepDevice::new(&d.serial_number);
                    bare.model = d.model;
                    bare.description = d.description;
                    bare.color = d.color;
                    bare.os = d.os;
                    bare.device_family = d.device_family;
                    bare
                }
                None => DepDevice::new(&event.serial),
            };
            record.op_type = Some(event.op_type);
            record.op_date = Some(event.at);
            devices.push(record);
        }
        let more_to_follow = self
            .events
            .iter()
            .skip(next_mark)
            .any(|e| e.server == server);
        let next = self.issue_cursor(
            server,
            CursorKind::Sync {
                event_mark: next_mark,
            },
            rng,
            now,
        );
        Ok(DeviceListResponse {
            cursor: next,
            devices,
            fetched_until: now,
            more_to_follow,
        })
    }

    /// `POST /devices`: a record per serial, `NOT_ACCESSIBLE` for serials that are not in the
    /// account or are assigned to another server.
    pub fn device_details(
        &self,
        server: &str,
        serials: &[String],
    ) -> Result<DeviceDetailsResponse, DepErrorCode> {
        if serials.is_empty() {
            return Err(DepErrorCode::DeviceIdRequired);
        }
        let mut out = DeviceDetailsResponse::default();
        for serial in serials {
            let record = match self.dep_device(serial) {
                Some(mut d) if self.accessible(server, serial) => {
                    d.response_status = Some(DeviceStatus::Success);
                    d
                }
                _ => {
                    let mut d = DepDevice::new(serial);
                    d.response_status = Some(DeviceStatus::NotAccessible);
                    d
                }
            };
            out.devices.insert(serial.clone(), record);
        }
        Ok(out)
    }
}
