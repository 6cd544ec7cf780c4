//! The simulated iOS device.
