//! The admin API answers the `$filter` queries Graph clients send for managed devices, and
//! refuses the ones it does not support with Graph's 400 instead of ignoring them.

use enrollsim_harness::lab::Lab;
use enrollsim_harness::scenario::{UserSpec, WorldSpec};
use hyper::Method;

#[tokio::test]
async fn managed_devices_filter_by_user_and_single_device_lookup() {
    let spec = WorldSpec::builder()
        .user(UserSpec::new("alex@contoso.example").enrolled_devices(3))
        .user(UserSpec::new("sam@contoso.example").enrolled_devices(2))
        .build();
    let lab = Lab::start(&spec).await.unwrap();
    let admin = lab.admin();
    let all = admin
        .call(Method::GET, "/v1.0/deviceManagement/managedDevices", None)
        .await
        .unwrap();
    assert_eq!(all["value"].as_array().unwrap().len(), 5);
    let sam = admin
        .call(Method::GET, "/v1.0/deviceManagement/managedDevices?$filter=userPrincipalName%20eq%20%27sam@contoso.example%27", None)
        .await
        .unwrap();
    let sam = sam["value"].as_array().unwrap();
    assert_eq!(sam.len(), 2);
    assert!(sam
        .iter()
        .all(|d| d["userPrincipalName"] == "sam@contoso.example"));
    let id = sam[0]["id"].as_str().unwrap();
    let one = admin
        .call(
            Method::GET,
            &format!("/v1.0/deviceManagement/managedDevices/{id}"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(one["id"], id);
    let err = admin
        .call(
            Method::GET,
            "/v1.0/deviceManagement/managedDevices?$filter=startswith(deviceName,%27a%27)",
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("400") && err.contains("unsupported"), "{err}");
}
