//! Draw benchmark: 100,000 accounts in operation, stratified by 区县, 30%.
//! Times the draw itself (grouping, sorting by key, the seeded permutation, the population
//! hash) over several seeds, then once end to end through the store (reading the roster,
//! drawing, writing ~30,000 sampled rows in one transaction).
//!
//! Run: `cargo bench --bench draw` (add `-- 20000` for another count).

use std::time::Instant;

use spotcheck::sampling::{self, Candidate, DrawOptions, Strata};

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let accounts = spotcheck::steps::demo::accounts(n, 1);
    let candidates: Vec<Candidate> = accounts
        .iter()
        .map(|a| Candidate {
            key: a.key(),
            stratum: Strata::County.stratum_of(a),
            recently_drawn: false,
        })
        .collect();
    let options = DrawOptions::default();
    let mut times = Vec::new();
    let mut sampled = 0;
    for seed in 0..20u64 {
        let start = Instant::now();
        let sample = sampling::draw(&candidates, &options, seed);
        let hash = sampling::population_hash(candidates.iter().map(|c| c.key.as_str()));
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        sampled = sample.len();
        assert_eq!(hash.len(), 64);
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let worst = times.iter().copied().fold(0.0, f64::max);
    println!(
        "draw of {sampled} from {n} accounts (with the population hash): mean {mean:.1} ms, worst {worst:.1} ms over {} seeds",
        times.len()
    );

    // End to end through the store, as the 抽取 button does it.
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.xlsx");
    spotcheck::steps::demo::write_roster_xlsx(&accounts, &roster).expect("write roster");
    let mut store = spotcheck::store::Store::open(&dir.path().join("b.db")).expect("open");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let preview =
        spotcheck::steps::roster_import::preview(&store, &roster, None, &mut |_| {}, &cancel)
            .expect("read roster");
    let at = chrono::Local::now().naive_local();
    spotcheck::steps::roster_import::commit(&mut store, &preview, at).expect("import");
    let request = spotcheck::model::DrawRequest {
        quarter: "2026Q4".parse().expect("quarter"),
        options,
        seed: 42,
        reason: None,
        void_work: false,
    };
    let start = Instant::now();
    let record = spotcheck::steps::draw::make_draw(&mut store, &request, at).expect("draw");
    println!(
        "end to end in the store (read {} accounts, draw, write {} rows, read back): {:.0} ms",
        n,
        record.accounts.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
}
