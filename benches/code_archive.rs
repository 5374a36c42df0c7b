//! The zip archive of a region's QR codes (`/console/posters/codes.zip`)
//! for 1,000 venues: a PNG and an SVG drawn per venue, and the index. The
//! console runs this on the blocking pool; its time is how long one such
//! download holds a blocking thread.

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use qrfeedback::domain::code::{CURRENT_KEY_VERSION, VenueCode};
use qrfeedback::domain::ids::VenueId;
use qrfeedback::http::code_archive::{CodeFile, code_archive};

const VENUES: i64 = 1_000;
const SECRET: &[u8] = b"bench-secret-bench-secret-0123456789";

fn venues() -> Vec<CodeFile> {
    (1..=VENUES)
        .map(|id| {
            let code = VenueCode::mint(SECRET, CURRENT_KEY_VERSION, VenueId::new(id), 0)
                .as_str()
                .to_owned();
            CodeFile {
                id: VenueId::new(id),
                name: format!("巴音郭楞 孔雀河酒店 {id}"),
                rating_url: format!("https://pj.example.gov.cn/r/{code}"),
                code,
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let venues = venues();
    let mut group = c.benchmark_group("code_archive");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("1000 venues", |b| {
        b.iter(|| code_archive(black_box(&venues), Utc::now()).expect("an archive"))
    });
    group.finish();
}

criterion_group!(code_archive_bench, benches);
criterion_main!(code_archive_bench);
