//! Apple ADE service (being written).
