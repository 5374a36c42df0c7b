//! Accounts: invitations, region-scoped creation and listing, and the
//! `create-admin` command.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ADMIN_TOKEN, ANONYMOUS, Page, TestApp, call, database_url_for, spawn_app};
use qrfeedback::domain::password::verify_password;

async fn create_account(app: &TestApp, creator: &str, body: Value) -> (u16, Value) {
    call(
        app,
        Method::POST,
        "/api/v1/accounts",
        Some(creator),
        Some(body),
    )
    .await
}

async fn accept(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    let path = format!("/api/v1/invitations/{token}");
    call(
        app,
        Method::POST,
        &path,
        ANONYMOUS,
        Some(json!({ "password": password })),
    )
    .await
}

/// The token at the end of an invitation link.
fn invitation_token(account: &Value) -> String {
    let url = account["invitation_url"].as_str().unwrap();
    let token = url
        .strip_prefix("https://q.example.org/invite/")
        .unwrap_or_else(|| panic!("unexpected link {url}"));
    token.to_owned()
}

async fn stored_hash(app: &TestApp, id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_invited_regulator_sets_a_password_once() {
    let app = spawn_app().await;
    let (status, account) = create_account(
        &app,
        ADMIN_TOKEN,
        json!({ "login": "BZ-Regulator", "display_name": "巴州文旅局", "role": "regulator", "region_code": "652800" }),
    )
    .await;
    assert_eq!(status, 201, "{account}");
    assert_eq!(account["login"], "bz-regulator", "folded to lower case");
    assert_eq!(account["role"], "regulator");
    assert_eq!(account["region_code"], "652800");
    assert_eq!(account["venue_ids"], json!([]));
    assert_eq!(account["activated"], false);
    let expires: chrono::DateTime<chrono::Utc> = account["invitation_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hours = (expires - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((71.9..=72.0).contains(&hours), "{hours}");
    let id = account["id"].as_i64().unwrap();
    let token = invitation_token(&account);
    assert_eq!(stored_hash(&app, id).await, None, "no password yet");
    let stored_token: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM account_invitations WHERE account_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored_token.len(), 32);
    assert!(
        !token
            .as_bytes()
            .windows(stored_token.len())
            .any(|w| w == stored_token),
        "only a hash of the token is stored"
    );

    // Weak passwords are refused and leave the invitation open.
    let (status, problem) = accept(&app, &token, "too short").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "/problems/weak-password");
    assert_eq!(accept(&app, &token, "i am BZ-regulator!").await.0, 422);
    assert_eq!(stored_hash(&app, id).await, None);

    let password = "孔雀河边的胡杨林 2026";
    let (status, activated) = accept(&app, &token, password).await;
    assert_eq!(status, 200, "{activated}");
    assert_eq!(activated, json!({ "id": id, "login": "bz-regulator" }));
    let hash = stored_hash(&app, id).await.unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!hash.contains(password), "never the plaintext");
    assert!(verify_password(password, &hash));

    // Used, unknown and malformed tokens get the same answer.
    let (used_status, used) = accept(&app, &token, "another good password").await;
    let unknown_token = "a".repeat(52);
    let (unknown_status, unknown) = accept(&app, &unknown_token, "another good password").await;
    let (_, malformed) = accept(&app, "not-a-token", "another good password").await;
    assert_eq!((used_status, unknown_status), (404, 404));
    assert_eq!(used, unknown);
    assert_eq!(used, malformed);
    assert_eq!(stored_hash(&app, id).await.unwrap(), hash, "unchanged");

    // An expired invitation is as good as none.
    let (_, late) = create_account(
        &app,
        ADMIN_TOKEN,
        json!({ "login": "late.comer", "display_name": "迟到", "role": "regulator", "region_code": "652801" }),
    )
    .await;
    let late_id = late["id"].as_i64().unwrap();
    sqlx::query(
        "UPDATE account_invitations SET expires_at = now() - interval '1 second' WHERE account_id = $1",
    )
    .bind(late_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, expired) = accept(&app, &invitation_token(&late), "a good long password").await;
    assert_eq!(status, 404);
    assert_eq!(expired, unknown);
    assert_eq!(stored_hash(&app, late_id).await, None);

    // Both steps are in the audit log, with who did them.
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT action, actor, region_code::text FROM audit_log WHERE target = $1 ORDER BY id",
    )
    .bind(format!("account:{id}"))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "account.create".to_owned(),
                "admin-token".to_owned(),
                Some("652800".to_owned())
            ),
            (
                "account.activate".to_owned(),
                format!("account:{id}"),
                Some("652800".to_owned())
            ),
        ]
    );
    let logged: String = sqlx::query_scalar("SELECT string_agg(after::text, ' ') FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!logged.contains("argon2") && !logged.contains(&token));
}

#[tokio::test]
async fn logins_are_unique_and_input_is_checked() {
    let app = spawn_app().await;
    let body = |login: &str| json!({ "login": login, "display_name": "管理员", "role": "admin" });
    assert_eq!(create_account(&app, ADMIN_TOKEN, body("ops")).await.0, 201);
    let (status, problem) = create_account(&app, ADMIN_TOKEN, body("OPS")).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "/problems/duplicate-login");
    assert_eq!(app.count("accounts").await, 1);

    for (bad, kind) in [
        (body("x"), "invalid-login"),
        (body("张三"), "invalid-login"),
        (
            json!({ "login": "abc", "display_name": " ", "role": "admin" }),
            "invalid-display-name",
        ),
        (
            json!({ "login": "abc", "display_name": "a", "role": "king" }),
            "invalid-role",
        ),
        (
            json!({ "login": "abc", "display_name": "a", "role": "regulator" }),
            "invalid-scope",
        ),
        (
            json!({ "login": "abc", "display_name": "a", "role": "admin", "region_code": "652800" }),
            "invalid-scope",
        ),
        (
            json!({ "login": "abc", "display_name": "a", "role": "regulator", "region_code": "999999" }),
            "unknown-region",
        ),
        (json!({ "login": "abc" }), "invalid-body"),
    ] {
        let (status, problem) = create_account(&app, ADMIN_TOKEN, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(problem["type"], format!("/problems/{kind}"), "{bad}");
    }
    assert_eq!(app.count("accounts").await, 1, "nothing stored");
    let (status, _) = call(&app, Method::GET, "/api/v1/accounts", ANONYMOUS, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_regulator_creates_and_lists_accounts_only_inside_its_region() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let (status, created) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Some(ADMIN_TOKEN),
        Some(json!({ "name": "巴州", "role": "regulator", "region_code": "652800" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let bayingolin = created["token"].as_str().unwrap().to_owned();

    let staff = |login: &str, venue: &Value| json!({ "login": login, "display_name": "前台", "role": "venue_staff", "venue_ids": [venue["id"]] });
    let (status, korla_staff) =
        create_account(&app, &bayingolin, staff("korla-desk", &korla)).await;
    assert_eq!(status, 201, "{korla_staff}");
    assert_eq!(korla_staff["venue_ids"], json!([korla["id"]]));
    assert!(korla_staff["invitation_url"].is_string());
    let (status, problem) =
        create_account(&app, &bayingolin, staff("changji-desk", &changji)).await;
    assert_eq!(status, 403, "{problem}");
    let unknown_venue = json!({ "id": 999999 });
    assert_eq!(
        create_account(&app, &bayingolin, staff("ghost-desk", &unknown_venue))
            .await
            .0,
        403
    );
    let admin = json!({ "login": "new-root", "display_name": "root", "role": "admin" });
    assert_eq!(create_account(&app, &bayingolin, admin).await.0, 403);
    let regulator = |login: &str, region: &str| json!({ "login": login, "display_name": "监管", "role": "regulator", "region_code": region });
    assert_eq!(
        create_account(&app, &bayingolin, regulator("luntai", "652822"))
            .await
            .0,
        201,
        "a county below"
    );
    assert_eq!(
        create_account(&app, &bayingolin, regulator("xinjiang", "650000"))
            .await
            .0,
        403,
        "not the province above"
    );
    assert_eq!(
        create_account(&app, &bayingolin, regulator("changji", "652300"))
            .await
            .0,
        403,
        "not another prefecture"
    );
    // The admin makes the accounts elsewhere.
    assert_eq!(
        create_account(&app, ADMIN_TOKEN, regulator("changji", "652300"))
            .await
            .0,
        201
    );
    assert_eq!(
        create_account(&app, ADMIN_TOKEN, staff("changji-desk", &changji))
            .await
            .0,
        201
    );
    assert_eq!(
        create_account(
            &app,
            ADMIN_TOKEN,
            json!({ "login": "root", "display_name": "root", "role": "admin" })
        )
        .await
        .0,
        201
    );

    let logins = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["login"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, seen) = call(
        &app,
        Method::GET,
        "/api/v1/accounts",
        Some(&bayingolin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(logins(&seen), ["korla-desk", "luntai"]);
    let (_, everything) = call(
        &app,
        Method::GET,
        "/api/v1/accounts",
        Some(ADMIN_TOKEN),
        None,
    )
    .await;
    assert_eq!(
        logins(&everything),
        ["korla-desk", "luntai", "changji", "changji-desk", "root"]
    );
    for account in everything["items"].as_array().unwrap() {
        assert!(account.get("password_hash").is_none(), "{account}");
        assert!(account.get("invitation_url").is_none(), "{account}");
    }

    // Venue staff neither create nor list accounts.
    let (_, staff_token) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Some(ADMIN_TOKEN),
        Some(json!({ "name": "前台", "role": "venue_staff", "venue_ids": [korla["id"]] })),
    )
    .await;
    let staff_token = staff_token["token"].as_str().unwrap();
    assert_eq!(
        create_account(&app, staff_token, staff("desk-2", &korla))
            .await
            .0,
        403
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/v1/accounts",
            Some(staff_token),
            None
        )
        .await
        .0,
        403
    );

    // The regulator sees its own account creations in its audit log.
    let (_, log) = call(&app, Method::GET, "/api/v1/audit", Some(&bayingolin), None).await;
    let created_here: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "account.create")
        .collect();
    assert_eq!(created_here.len(), 2, "{log}");
    assert!(
        created_here
            .iter()
            .all(|e| e["actor"] == format!("token:{}", created["id"]))
    );
}

/// Runs the built binary against the test's database.
fn qrfeedback(db_name: &str, args: &[&str], password: Option<&str>, stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qrfeedback"));
    command
        .args(args)
        .env("DATABASE_URL", database_url_for(db_name))
        .env("REDIS_URL", std::env::var("REDIS_URL").unwrap())
        .env("REDIS_KEY_PREFIX", db_name)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SECRET_KEY", "test-secret-key-0123456789abcdef-0123")
        .env_remove("QRF_CONFIG")
        .env_remove("QRF_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        command.env("QRF_ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().expect("run qrfeedback");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn create_admin_works_from_the_command_line_and_refuses_a_duplicate() {
    let app = spawn_app().await;
    let password = "a long admin passphrase";
    let args = ["create-admin", "--login", "Root", "--name", "系统管理员"];
    let out = qrfeedback(&app.db_name, &args, Some(password), "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id: i64 = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let (login, role, name, hash, created_by): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT login, role, display_name, password_hash, created_by FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (login.as_str(), role.as_str(), name.as_str()),
        ("root", "admin", "系统管理员")
    );
    assert!(hash.starts_with("$argon2id$") && verify_password(password, &hash));
    assert_eq!(created_by, "cli");
    let actor: String =
        sqlx::query_scalar("SELECT actor FROM audit_log WHERE action = 'account.create'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(actor, "cli");

    let again = qrfeedback(&app.db_name, &args, Some("another admin passphrase"), "");
    assert!(!again.status.success());
    let message = String::from_utf8_lossy(&again.stderr);
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(app.count("accounts").await, 1);

    // Without the variable the password is read twice from standard input.
    let typed = "typed twice, same both times";
    let args = ["create-admin", "--login", "second", "--name", "Second"];
    let out = qrfeedback(&app.db_name, &args, None, &format!("{typed}\n{typed}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = ["create-admin", "--login", "third", "--name", "Third"];
    let differ = qrfeedback(&app.db_name, &args, None, &format!("{typed}\n{typed}!\n"));
    assert!(!differ.status.success());
    let short = qrfeedback(&app.db_name, &args, Some("short"), "");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("12 to 128"));
    assert_eq!(app.count("accounts").await, 2);
}

#[tokio::test]
async fn a_regulator_changes_only_accounts_inside_its_region_and_never_above_it() {
    let app = spawn_app().await;
    let korla = app.create_venue("库尔勒宾馆", "652801", "hotel").await;
    let changji = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let (_, created) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Some(ADMIN_TOKEN),
        Some(json!({ "name": "巴州", "role": "regulator", "region_code": "652800" })),
    )
    .await;
    let bayingolin = created["token"].as_str().unwrap().to_owned();
    let staff = |login: &str, venue: &Value| json!({ "login": login, "display_name": "前台", "role": "venue_staff", "venue_ids": [venue["id"]] });
    let (_, inside) = create_account(&app, ADMIN_TOKEN, staff("korla-desk", &korla)).await;
    let (_, outside) = create_account(&app, ADMIN_TOKEN, staff("changji-desk", &changji)).await;
    let (_, root) = create_account(
        &app,
        ADMIN_TOKEN,
        json!({ "login": "root2", "display_name": "root", "role": "admin" }),
    )
    .await;
    let patch = |id: &Value| format!("/api/v1/accounts/{id}");

    let (status, changed) = call(
        &app,
        Method::PATCH,
        &patch(&inside["id"]),
        Some(&bayingolin),
        Some(json!({ "display_name": "库尔勒前台", "disabled": true })),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["display_name"], "库尔勒前台");
    assert!(changed["disabled_at"].is_string());

    // Another prefecture's account and an admin do not exist for this regulator.
    for id in [&outside["id"], &root["id"], &json!(999999)] {
        let (status, _) = call(
            &app,
            Method::PATCH,
            &patch(id),
            Some(&bayingolin),
            Some(json!({ "disabled": true })),
        )
        .await;
        assert_eq!(status, 404, "account {id}");
    }
    // Moving its own account's venues outside the region, or promoting it, is refused.
    let (status, _) = call(
        &app,
        Method::PATCH,
        &patch(&inside["id"]),
        Some(&bayingolin),
        Some(json!({ "role": "venue_staff", "venue_ids": [changji["id"]] })),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        Method::PATCH,
        &patch(&inside["id"]),
        Some(&bayingolin),
        Some(json!({ "role": "admin" })),
    )
    .await;
    assert_eq!(status, 403);
    // A scope without a role, a bad name and unknown fields are input errors.
    for body in [
        json!({ "region_code": "652801" }),
        json!({ "display_name": "  " }),
        json!({ "password": "x" }),
    ] {
        let (status, problem) = call(
            &app,
            Method::PATCH,
            &patch(&inside["id"]),
            Some(&bayingolin),
            Some(body.clone()),
        )
        .await;
        assert!(status == 422 || status == 400, "{body}: {status} {problem}");
    }
    let stored: (String, Vec<i64>) = sqlx::query_as(
        "SELECT a.role, array_agg(av.venue_id) FROM accounts a JOIN account_venues av ON av.account_id = a.id WHERE a.id = $1 GROUP BY a.role",
    )
    .bind(inside["id"].as_i64().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            "venue_staff".to_owned(),
            vec![korla["id"].as_i64().unwrap()]
        )
    );
}

/// A form's fields.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// Posts the invitation page's form.
async fn post_invite_form(app: &TestApp, token: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .client
        .post(format!("{}/invite/{token}", app.address))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_html_form::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_invitation_link_opens_a_page_that_sets_the_password_once() {
    let app = spawn_app().await;
    let (_, account) = create_account(
        &app,
        ADMIN_TOKEN,
        json!({ "login": "bz-reg", "display_name": "巴州", "role": "regulator", "region_code": "652800" }),
    )
    .await;
    let id = account["id"].as_i64().unwrap();
    let token = invitation_token(&account);
    let page_of = |lang: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let response = app
                .client
                .get(format!("{}/invite/{token}?lang={lang}", app.address))
                .send()
                .await
                .unwrap();
            Page::read(response).await
        }
    };
    let page = page_of("en").await;
    assert_eq!(page.status, 200);
    assert!(page.says("bz-reg"), "{page:?}");
    assert!(page.exists("form input[name=password][type=password]"));
    let page_zh = page_of("zh-CN").await;
    assert_eq!(page_zh.status, 200);
    assert_eq!(page_zh.lang(), "zh-CN");
    assert!(
        page_zh.select_text("h1").contains("设置密码"),
        "{page_zh:?}"
    );
    let csrf = page.form_value("form input[name=csrf_token]");
    let good = "a long enough passphrase";

    // Refusals keep the form and store nothing.
    let cases: [(Fields, u16, &str); 4] = [
        (
            &[
                ("csrf_token", "forged"),
                ("password", good),
                ("confirm", good),
            ],
            403,
            "For your security",
        ),
        (
            &[
                ("csrf_token", &csrf),
                ("password", good),
                ("confirm", "something else"),
            ],
            422,
            "differ",
        ),
        (
            &[
                ("csrf_token", &csrf),
                ("password", "short"),
                ("confirm", "short"),
            ],
            422,
            "12 to 128",
        ),
        (
            &[
                ("csrf_token", &csrf),
                ("password", "bz-reg and more words"),
                ("confirm", "bz-reg and more words"),
            ],
            422,
            "login name",
        ),
    ];
    for (fields, status, says) in cases {
        let mut fields = fields.to_vec();
        fields.push(("lang", "en"));
        let (got, page) = post_invite_form(&app, &token, &fields).await;
        assert_eq!(got, status, "{page}");
        let page = Page::parse(&page);
        assert!(
            page.select_text(".notice[role=alert]").contains(says),
            "{says}: {page:?}"
        );
        assert!(
            page.exists("form input[name=password][type=password]"),
            "the form is shown again"
        );
        assert!(stored_hash(&app, id).await.is_none());
    }

    let fields = [
        ("csrf_token", csrf.as_str()),
        ("password", good),
        ("confirm", good),
        ("lang", "en"),
    ];
    let (status, page) = post_invite_form(&app, &token, &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        Page::parse(&page)
            .select_text("h1")
            .contains("Your account is ready"),
        "{page}"
    );
    assert!(verify_password(good, &stored_hash(&app, id).await.unwrap()));

    // Used: the link now explains itself, and a second post changes nothing.
    let page = page_of("en").await;
    assert_eq!(page.status, 404);
    assert!(page.says("does not work"), "{page:?}");
    let other = "another long passphrase";
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("password", other),
        ("confirm", other),
    ];
    assert_eq!(post_invite_form(&app, &token, &fields).await.0, 404);
    assert!(verify_password(good, &stored_hash(&app, id).await.unwrap()));
    let response = app
        .client
        .get(format!("{}/invite/not-a-token", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

/// A display name or login holding a NUL (which Postgres refuses) or a
/// direction override (which makes a name read otherwise than it is stored)
/// is refused with a 422 problem, at creation and on a change, and nothing
/// is stored.
#[tokio::test]
async fn a_display_name_or_login_with_a_nul_or_a_direction_override_is_refused() {
    let app = spawn_app().await;
    for bad in ["\u{0}", "\u{202E}"] {
        let name = format!("张{bad}三");
        let login = format!("ops{bad}x");
        for (body, kind) in [
            (
                json!({ "login": "ops", "display_name": name, "role": "admin" }),
                "control-character",
            ),
            (
                json!({ "login": login, "display_name": "张三", "role": "admin" }),
                "invalid-login",
            ),
        ] {
            let (status, problem) = create_account(&app, ADMIN_TOKEN, body.clone()).await;
            assert_eq!(status, 422, "{body}: {problem}");
            assert_eq!(problem["type"], format!("/problems/{kind}"), "{body}");
        }
    }
    assert_eq!(app.count("accounts").await, 0, "nothing stored");

    let body = json!({ "login": "ops", "display_name": "张三", "role": "admin" });
    let (status, created) = create_account(&app, ADMIN_TOKEN, body).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/api/v1/accounts/{}", created["id"]);
    for bad in ["\u{0}", "\u{202E}"] {
        let body = json!({ "display_name": format!("李{bad}四") });
        let (status, problem) = call(
            &app,
            Method::PATCH,
            &path,
            Some(ADMIN_TOKEN),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["type"], "/problems/control-character", "{body}");
    }
    let name: String = sqlx::query_scalar("SELECT display_name FROM accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "张三");
    let updates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'account.update'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(updates, 0);
}
