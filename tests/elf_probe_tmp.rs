#[test]
fn probe() {
    let Ok(list) = std::env::var("PROBE") else {
        return;
    };
    for p in list.split(':') {
        let data = std::fs::read(p).unwrap();
        let t = std::time::Instant::now();
        let info = microscope::analysis::elf::inspect(&data, true);
        let el = t.elapsed();
        let mut info = info.unwrap();
        if let Some(g) = info.go.as_mut() {
            g.deps.truncate(2);
        }
        println!("{p} {} bytes {:?}\n{:#?}", data.len(), el, info);
    }
}
