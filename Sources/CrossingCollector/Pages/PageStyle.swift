/// The pages' one stylesheet and one script, served inline.
///
/// The style is for reading in a hurry on any screen: black on white (white on black where the
/// system is dark), large figures, tables that scroll sideways on a phone rather than shrink,
/// and focus outlines that show. The script is an enhancement only: it swaps in a fresh
/// `<main>` every so often without reloading the page; without it a `<noscript>` refresh
/// reloads the whole page, and every figure is in the HTML either way.
enum PageStyle {
    static let css = """
        :root{color-scheme:light dark;--fg:#000;--bg:#fff;--muted:#333;--line:#000;--warn:#8a0000;--card:#f4f4f4}
        @media (prefers-color-scheme:dark){:root{--fg:#fff;--bg:#000;--muted:#ddd;--line:#fff;--warn:#ff9c9c;--card:#151515}}
        *{box-sizing:border-box}
        body{margin:0;padding:1rem;font:1.05rem/1.45 system-ui,"DejaVu Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
        h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.35rem;margin:0 0 .5rem}h3{font-size:1.1rem;margin:1rem 0 .35rem}
        p{margin:.3rem 0}.muted{color:var(--muted)}.warn{color:var(--warn);font-weight:bold}
        a{color:inherit;text-decoration-thickness:2px}a:focus,summary:focus{outline:3px solid var(--fg);outline-offset:2px}
        .cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr))}
        .card{border:2px solid var(--line);border-radius:.4rem;padding:.9rem;background:var(--card);min-width:0}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;margin:.2rem 0 .6rem}
        caption{text-align:left;font-weight:bold;padding:.2rem 0}
        th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:right;white-space:nowrap}
        th[scope=row],thead th:first-child{text-align:left;white-space:normal}
        @media (max-width:30rem){body{padding:.5rem;font-size:1rem}.card{padding:.5rem}th,td{padding:.2rem .3rem}}
        .big{font-size:1.5rem;font-weight:bold}
        .chart svg{width:100%;height:auto;background:#fff;border:1px solid var(--line)}
        form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
        label{display:flex;flex-direction:column;font-size:.95rem}
        input,select,button{font:inherit;padding:.25rem;border:2px solid var(--line);background:var(--bg);color:var(--fg)}
        """

    static func script(refreshS: Int) -> String {
        """
        document.documentElement.dataset.live="script";\
        setInterval(async()=>{try{const r=await fetch(location.href,{cache:"no-store"});if(!r.ok)return;\
        const d=new DOMParser().parseFromString(await r.text(),"text/html");const m=d.querySelector("main");\
        if(m)document.querySelector("main").replaceWith(m)}catch(e){}},\(refreshS * 1000));
        """
    }
}
