//! enrollsim
