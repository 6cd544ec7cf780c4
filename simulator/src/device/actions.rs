//! What a user or technician does to a device, as the article's resolutions ask.

use super::logs::{Level, Process};
use super::spec::{CloudSetting, CompanyPortalApp, KeychainState};
use super::Device;
use crate::wire::checkin::{CheckOut, CheckinMessage};

impl Device {
    /// Settings > General > Device Management > (profile) > Remove Management: removes every
    /// management profile. A profile whose MDM payload asks for it sends `CheckOut` first, so
    /// the server can release the device record.
    pub async fn remove_management_profiles(&self) -> usize {
        let (profiles, mdm) = {
            let s = self.lock();
            (s.spec.profiles.clone(), s.mdm.clone())
        };
        let mut removed = 0;
        let managed = profiles.iter().filter(|p| p.mdm.is_some()).count();
        if managed > 0 {
            self.note(&format!(
                "the user removed {managed} management profile(s) in Settings"
            ));
        }
        for profile in profiles.iter().filter(|p| p.mdm.is_some()) {
            if let (Some(payload), Some(enrollment)) = (&profile.mdm, &mdm) {
                if payload.check_out_when_removed && enrollment.payload == *payload {
                    let udid = self.lock().spec.udid.clone();
                    let message = CheckinMessage::CheckOut(CheckOut {
                        topic: payload.topic.clone(),
                        udid,
                    });
                    let _ = self.checkin(enrollment, message).await;
                }
            }
            self.log(
                Process::Profiled,
                Level::Notice,
                &format!("Removed profile \"{}\"", profile.identifier),
            );
            removed += 1;
        }
        let mut s = self.lock();
        s.spec.profiles.retain(|p| p.mdm.is_none());
        s.mdm = None;
        s.mailbox = None;
        removed
    }

    /// Deletes the Company Portal app and installs the current version from the App Store.
    /// Deleting the app deletes its keychain items, so the new install creates a new device
    /// registration key.
    pub fn reinstall_company_portal(&self) {
        let cloud = self
            .lock()
            .spec
            .company_portal
            .as_ref()
            .map(|a| a.cloud)
            .unwrap_or_default();
        self.lock().spec.company_portal = Some(CompanyPortalApp {
            cloud,
            ..CompanyPortalApp::default()
        });
        self.log(
            Process::CompanyPortal,
            Level::Notice,
            "Company Portal installed from the App Store",
        );
        self.note("the Company Portal was installed from the App Store");
    }

    /// Settings > Safari > Clear History and Website Data.
    pub fn clear_safari_cookies(&self) {
        self.lock().spec.safari_cookies.clear();
        self.log(
            Process::Safari,
            Level::Notice,
            "Cleared history and website data",
        );
        self.note("the user cleared Safari's history and website data");
    }

    /// Settings > Company Portal > Cloud.
    pub fn set_company_portal_cloud(&self, cloud: CloudSetting) {
        if let Some(app) = self.lock().spec.company_portal.as_mut() {
            app.cloud = cloud;
        }
        self.note(&format!(
            "the user set the Company Portal's Cloud setting to {cloud:?}"
        ));
    }

    /// Joins another network, from which every host is reachable.
    pub fn use_other_network(&self) {
        self.lock().spec.blocked_hosts.clear();
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Joined a different Wi-Fi network",
        );
        self.note("the device joined another network");
    }

    /// Restores the device in recovery mode and sets it up as new: every profile, app, cookie
    /// is gone and the keychain is created anew; the Company Portal must be installed again.
    pub fn restore_as_new(&self) {
        let mut s = self.lock();
        s.spec.profiles.clear();
        s.spec.company_portal = None;
        s.spec.safari_cookies.clear();
        s.spec.keychain = KeychainState::Healthy;
        s.mdm = None;
        s.mailbox = None;
        s.supervised = false;
        drop(s);
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            "Device restored and set up as new",
        );
        self.note("the device was restored in recovery mode and set up as new");
    }

    /// Updates iOS/iPadOS to `version` (`build`): Settings > General > Software Update.
    /// Profiles, apps and data stay.
    pub fn update_os(&self, version: &str, build: &str) {
        let mut s = self.lock();
        let before = std::mem::replace(&mut s.spec.os_version, version.to_string());
        s.spec.build = build.to_string();
        drop(s);
        self.log(
            Process::SetupAssistant,
            Level::Notice,
            &format!("Software update installed: {before} -> {version} ({build})"),
        );
        self.note(&format!(
            "the device was updated from {before} to {version}"
        ));
    }

    /// Installs the Company Portal from the App Store if it is missing.
    pub fn install_company_portal(&self) {
        if self.lock().spec.company_portal.is_none() {
            self.reinstall_company_portal();
        }
    }

    /// Current Company Portal Cloud setting.
    pub fn company_portal_cloud(&self) -> Option<CloudSetting> {
        self.lock().spec.company_portal.as_ref().map(|a| a.cloud)
    }
}
