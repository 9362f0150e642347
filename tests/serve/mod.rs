//! `hallplan serve`: the API against `plan`'s own files, bad requests, a burst of
//! concurrent requests, the time limit, Ctrl-C, and the page in a real browser.

mod api;
mod browser;
mod http;
mod webdriver;
