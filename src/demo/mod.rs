//! The built-in demo images and the fixture builder they share with the tests.

pub mod builder;
