//! Apple wire formats (being written).
