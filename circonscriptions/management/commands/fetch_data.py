from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from circonscriptions.datasets import DATASETS, FetchError, fetch_one, is_cached


class Command(BaseCommand):
    help = (
        "Download into DATA_DIR the official files of the full demo (circonscriptions/datasets.py: address, "
        "SHA-256, size and licence of each). A file already there with the right checksum is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default=None,
            help="a mirror laid out like DATA_DIR (default: QG_DATA_BASE_URL, else each publisher's address)",
        )
        parser.add_argument("--data-dir", default=None, help="where to write (default: DATA_DIR)")
        parser.add_argument("--only", action="append", default=[], help="one file's path in DATA_DIR (repeatable)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        data_dir = Path(options["data_dir"] or settings.DATA_DIR)
        base_url = settings.DATA_BASE_URL if options["base_url"] is None else options["base_url"]
        wanted = [d for d in DATASETS if not options["only"] or d.path in options["only"]]
        unknown = sorted(set(options["only"]) - {d.path for d in DATASETS})
        if unknown:
            raise CommandError(f"Fichier inconnu de circonscriptions/datasets.py : {', '.join(unknown)}.")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Impossible de créer le dossier {data_dir} : {exc.strerror}.") from exc
        failures, fetched, cached = [], 0, 0
        for dataset in wanted:
            if is_cached(dataset, data_dir):
                cached += 1
                continue
            bar = tqdm(
                desc=dataset.path,
                unit="o",
                unit_scale=True,
                unit_divisor=1024,
                leave=False,
                disable=options["no_progress"] or None,
            )

            def advance(n: int, total: int | None, bar=bar) -> None:
                if total and bar.total != total:
                    bar.total = total
                bar.update(n)

            try:
                fetch_one(dataset, data_dir, base_url=base_url, on_bytes=advance)
            except FetchError as exc:
                failures.append(str(exc))
                self.stderr.write(f"refusé : {exc}")
            else:
                fetched += 1
                self.stdout.write(f"téléchargé : {dataset.path} ({dataset.licence})")
            finally:
                bar.close()
        self.stdout.write(
            f"{fetched} fichier(s) téléchargé(s), {cached} déjà présent(s) avec la bonne empreinte, "
            f"{len(failures)} refusé(s), dans {data_dir}."
        )
        if failures:
            raise CommandError(f"{len(failures)} fichier(s) non téléchargé(s) :\n" + "\n".join(failures))
