"""The few framing words qabot says itself, in the languages it reads questions in.

Facts are always quoted in the article's own words; only these phrases are translated.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "dont_know": {
        "en": "I don't know: the articles I have don't say.",
        "ru": "Не знаю: в моих статьях об этом не сказано.",
        "fr": "Je ne sais pas : mes articles ne le disent pas.",
        "ar": "لا أعرف: المقالات المتوفرة لدي لا تذكر ذلك.",
        "es": "No lo sé: mis artículos no lo dicen.",
        "de": "Das weiß ich nicht: Meine Artikel sagen nichts dazu.",
    },
    "empty": {
        "en": "Ask me a question.",
        "ru": "Задайте мне вопрос.",
        "fr": "Posez-moi une question.",
        "ar": "اطرح علي سؤالا.",
        "es": "Hazme una pregunta.",
        "de": "Stell mir eine Frage.",
    },
    "you_could_ask": {
        "en": "You could ask:",
        "ru": "Можно спросить:",
        "fr": "Vous pouvez demander :",
        "ar": "يمكنك أن تسأل:",
        "es": "Puedes preguntar:",
        "de": "Du könntest fragen:",
    },
    "did_you_mean": {
        "en": "Did you mean:",
        "ru": "Возможно, вы имели в виду:",
        "fr": "Vouliez-vous dire :",
        "ar": "هل تقصد:",
        "es": "Quizá quisiste decir:",
        "de": "Meintest du:",
    },
    "not_sure": {
        "en": "I'm not sure this is what you asked:",
        "ru": "Не уверен, что это ответ на ваш вопрос:",
        "fr": "Je ne suis pas sûr que ce soit la réponse :",
        "ar": "لست متأكدا من أن هذا ما سألت عنه:",
        "es": "No estoy seguro de que sea lo que preguntaste:",
        "de": "Ich bin nicht sicher, ob das deine Frage beantwortet:",
    },
    "in_english": {
        "en": "",
        "ru": "Из статьи (на английском):",
        "fr": "D'après l'article (en anglais) :",
        "ar": "من المقال (بالإنجليزية):",
        "es": "Del artículo (en inglés):",
        "de": "Aus dem Artikel (auf Englisch):",
    },
    "no_visit": {
        "en": "I know of no such visit: the visits tables I have list none.",
        "ru": "Я не знаю о таком визите: в моих таблицах визитов его нет.",
        "fr": "Je ne connais pas cette visite : mes tableaux de visites n'en mentionnent aucune.",
        "ar": "لا أعرف زيارة كهذه: جداول الزيارات المتوفرة لدي لا تذكرها.",
        "es": "No conozco esa visita: mis tablas de visitas no mencionan ninguna.",
        "de": "Einen solchen Besuch kenne ich nicht: Meine Besuchstabellen nennen keinen.",
    },
    "source": {
        "en": "Source",
        "ru": "Источник",
        "fr": "Source",
        "ar": "المصدر",
        "es": "Fuente",
        "de": "Quelle",
    },
}


def phrase(key: str, lang: str = "en") -> str:
    """The phrase in `lang`, falling back to English."""
    table = PHRASES[key]
    return table.get(lang, table["en"])
