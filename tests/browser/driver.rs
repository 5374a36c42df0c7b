//! A chromedriver of our own and the small waits every browser test uses.
//!
//! Needs `chromium` and `chromedriver` (deploy/test.sh installs both); set
//! `CHROME_BIN` and `CHROMEDRIVER` to use other binaries. Without them the
//! tests fail rather than skip.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::free_port;

/// The phone the page is checked on, in CSS pixels.
pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 740;
/// Longest wait for anything the browser or the driver does.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How often a wait looks again.
pub const POLL: Duration = Duration::from_millis(50);

/// A chromedriver of our own, with a throw-away Chromium profile. Dropping it
/// (also while a failed assertion unwinds) kills the driver and any browser
/// it started, and deletes the profile.
pub struct Driver {
    child: Child,
    port: u16,
    scratch: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it says it is ready.
    pub async fn start() -> Self {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let scratch =
            std::env::temp_dir().join(format!("qrf-browser-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&scratch).expect("create the browser's scratch folder");
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                scratch.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so Drop can take the browser down with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start chromedriver `{bin}`: {err}. Install it (deploy/test.sh installs \
                     chromium-driver) or point CHROMEDRIVER at it"
                )
            });
        let mut driver = Self {
            child,
            port,
            scratch,
        };
        let status_url = format!("{}/status", driver.url());
        qrfeedback::startup::install_tls_provider();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(exit) = driver.child.try_wait().expect("poll chromedriver") {
                panic!(
                    "chromedriver `{bin}` exited at start ({exit}); its log is {}",
                    driver.log_path().display()
                );
            }
            if let Ok(response) = http.get(&status_url).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port} within {PATIENCE:?}"
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_path(&self) -> PathBuf {
        self.scratch.join("chromedriver.log")
    }

    /// Opens a Chromium session that looks like a 360×740 phone.
    pub async fn phone_browser(&self) -> Client {
        let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            !chrome.contains('/') || Path::new(&chrome).is_file(),
            "Chromium is not at `{chrome}`: install it (deploy/test.sh installs chromium) or point CHROME_BIN at it"
        );
        let profile = self.scratch.join("profile");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--window-size={WIDTH},{HEIGHT}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
                // CSS pixels and device pixel ratio of a common Android phone.
                "mobileEmulation": {
                    "deviceMetrics": { "width": WIDTH, "height": HEIGHT, "pixelRatio": 2.0 }
                },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        // ChromeDriver listens on loopback over plain HTTP: no TLS stack needed.
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "chromedriver could not start Chromium `{chrome}`: {err}; its log is {}",
                    self.log_path().display()
                )
            })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium it launched, if a
        // failed test left the session open.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// A text of the page catalogue `web/i18n/{lang}.toml`, e.g. `thanks.title`.
pub fn catalogue_text(lang: &str, key: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("web/i18n")
        .join(format!("{lang}.toml"));
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("page language `{lang}`: {err}"));
    let catalogue: toml::Table = toml::from_str(&source).expect("catalogue parses");
    let (section, name) = key.split_once('.').expect("section.name");
    catalogue[section][name]
        .as_str()
        .expect("a text")
        .to_owned()
}

/// Keeps what the browser shows under docs/screenshots for the README.
pub async fn keep(browser: &Client, name: &str) {
    let shot = screenshot(browser, name).await;
    let png = std::fs::read(&shot).expect("read the screenshot");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&docs).expect("docs/screenshots");
    std::fs::write(docs.join(name), &png).expect("save the screenshot");
}

/// Saves what the browser shows to `target/screenshots/{name}`.
pub async fn screenshot(browser: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    let png = browser.screenshot().await.expect("screenshot");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("write screenshot");
    println!("screenshot: {}", path.display());
    path
}

pub async fn css(browser: &Client, selector: &str) -> fantoccini::elements::Element {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|err| panic!("no `{selector}` on the page: {err}"))
}

pub async fn wait_for(browser: &Client, selector: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(PATIENCE)
        .every(POLL)
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|err| panic!("`{selector}` did not appear within {PATIENCE:?}: {err}"))
}

/// The desktop window the signed-in pages are checked at, in CSS pixels.
pub const DESKTOP_WIDTH: u32 = 1280;
pub const DESKTOP_HEIGHT: u32 = 900;

impl Driver {
    /// Where a desktop browser saves what it downloads.
    pub fn download_dir(&self) -> PathBuf {
        self.scratch.join("downloads")
    }

    /// Opens a Chromium session with a desktop window of `width`×`height`
    /// CSS pixels that saves downloads to [`Driver::download_dir`] without
    /// asking; `lang` sets the browser's own language (its Accept-Language).
    pub async fn desktop_browser(&self, width: u32, height: u32, lang: Option<&str>) -> Client {
        let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            !chrome.contains('/') || Path::new(&chrome).is_file(),
            "Chromium is not at `{chrome}`: install it (deploy/test.sh installs chromium) or point CHROME_BIN at it"
        );
        let downloads = self.download_dir();
        std::fs::create_dir_all(&downloads).expect("create the download folder");
        let profile = self.scratch.join("desktop-profile");
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--force-device-scale-factor=1".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ];
        if let Some(lang) = lang {
            args.push(format!("--lang={lang}"));
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "safebrowsing.enabled": false,
                },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "chromedriver could not start Chromium `{chrome}`: {err}; its log is {}",
                    self.log_path().display()
                )
            });
        // The window size includes the browser's own frame: grow the window
        // by it, so the page itself gets width × height.
        let frame = browser
            .execute(
                "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]",
                vec![],
            )
            .await
            .expect("measure the window frame");
        let extra = |i: usize| u32::try_from(frame[i].as_u64().unwrap_or(0)).unwrap_or(0);
        browser
            .set_window_size(width + extra(0), height + extra(1))
            .await
            .expect("size the window");
        browser
    }
}
