"""The wording Atrium ships with, per event, channel and language.

These are content, not gettext strings: the firm edits them on the staff pages (a row in
NotificationTemplate overrides the default). Placeholders are {name} style and limited to
PLACEHOLDERS[event]; nothing confidential is ever offered as a placeholder (no message text,
no file name, no matter title: only the matter reference).

SMS defaults for English and Spanish use only GSM-7 characters and fit in one segment
(Spanish avoids a/i/o/u with accents, which GSM-7 lacks); Polish and Russian need UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON = ("firm", "name", "link")
APPOINTMENT = (*COMMON, "service", "when", "staff")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "booked": APPOINTMENT,
    "rescheduled": APPOINTMENT,
    "cancelled": APPOINTMENT,
    "no_show": APPOINTMENT,
    "reminder": APPOINTMENT,
    "message": (*COMMON, "matter", "count"),
    "task_due": (*COMMON, "matter", "due"),
    "document_due": (*COMMON, "matter", "due"),
}

# Values used for the staff preview and for the segment count of the defaults.
SAMPLE = {
    "firm": "Atrium Law",
    "name": "Anna",
    "link": "https://atrium.example/a/Xy7Qk2Lm9Pz4",
    "service": "Consultation",
    "when": "Mon 9 Mar, 10:00 CET",
    "staff": "Marek Nowak",
    "matter": "FAM-2026-001",
    "count": "2",
    "due": "Fri 13 Mar",
}


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def _t(subject: str, body: str) -> Text:
    return Text(subject, body)


EMAIL: dict[str, dict[str, Text]] = {
    "en": {
        "booked": _t("Your appointment on {when}",
                     "Hello {name},\n\nyour {service} with {staff} is booked for {when}.\n"
                     "The calendar file is attached.\n\n"
                     "To change or cancel, use this link: {link}\n\n{firm}"),
        "rescheduled": _t("New time: {when}",
                          "Hello {name},\n\nyour {service} has moved. The new time is {when}.\n"
                          "The updated calendar file is attached.\n\n"
                          "To change or cancel, use this link: {link}\n\n{firm}"),
        "cancelled": _t("Appointment cancelled",
                        "Hello {name},\n\nyour {service} on {when} is cancelled.\n"
                        "To book a new time, use this link: {link}\n\n{firm}"),
        "no_show": _t("We missed you today",
                      "Hello {name},\n\nwe missed you at your {service} on {when}.\n"
                      "Pick a new time here: {link}\n\n{firm}"),
        "reminder": _t("Reminder: {service} on {when}",
                       "Hello {name},\n\na reminder of your {service} with {staff} on {when}.\n\n"
                       "Need another time? Change or cancel here: {link}\n\n{firm}"),
        "message": _t("You have a new secure message",
                      "Hello {name},\n\nyou have a new secure message about {matter}.\n"
                      "For your privacy we do not send it by email. Sign in to read it: {link}"
                      "\n\n{firm}"),
        "task_due": _t("A task is due on {due}",
                       "Hello {name},\n\na task in {matter} is due on {due}.\n"
                       "See it here: {link}\n\n{firm}"),
        "document_due": _t("Documents needed by {due}",
                           "Hello {name},\n\nwe are waiting for documents for {matter} by {due}.\n"
                           "Upload them here: {link}\n\n{firm}"),
    },
    "pl": {
        "booked": _t("Twoja wizyta: {when}",
                     "Dzień dobry {name},\n\n{service} z {staff} jest zarezerwowana na {when}.\n"
                     "Plik kalendarza jest w załączniku.\n\n"
                     "Aby zmienić termin lub odwołać wizytę, użyj linku: {link}\n\n{firm}"),
        "rescheduled": _t("Nowy termin: {when}",
                          "Dzień dobry {name},\n\ntermin wizyty ({service}) został zmieniony. "
                          "Nowy termin: {when}.\nZaktualizowany plik kalendarza jest w załączniku."
                          "\n\nAby zmienić termin lub odwołać wizytę, użyj linku: {link}\n\n{firm}"),
        "cancelled": _t("Wizyta odwołana",
                        "Dzień dobry {name},\n\nwizyta ({service}) w terminie {when} "
                        "została odwołana.\nNowy termin możesz wybrać tutaj: {link}\n\n{firm}"),
        "no_show": _t("Nie udało się spotkać",
                      "Dzień dobry {name},\n\nczekaliśmy na Ciebie: {service}, {when}.\n"
                      "Wybierz nowy termin tutaj: {link}\n\n{firm}"),
        "reminder": _t("Przypomnienie: {service}, {when}",
                       "Dzień dobry {name},\n\nprzypominamy o wizycie ({service}) z {staff}: "
                       "{when}.\n\nPotrzebujesz innego terminu? Zmień lub odwołaj tutaj: {link}"
                       "\n\n{firm}"),
        "message": _t("Masz nową bezpieczną wiadomość",
                      "Dzień dobry {name},\n\nmasz nową bezpieczną wiadomość w sprawie {matter}.\n"
                      "Dla Twojej prywatności nie wysyłamy jej e-mailem. Zaloguj się, "
                      "aby ją przeczytać: {link}\n\n{firm}"),
        "task_due": _t("Termin zadania: {due}",
                       "Dzień dobry {name},\n\nzadanie w sprawie {matter} ma termin {due}.\n"
                       "Zobacz je tutaj: {link}\n\n{firm}"),
        "document_due": _t("Dokumenty potrzebne do {due}",
                           "Dzień dobry {name},\n\nczekamy na dokumenty w sprawie {matter} "
                           "do {due}.\nPrześlij je tutaj: {link}\n\n{firm}"),
    },
    "es": {
        "booked": _t("Su cita: {when}",
                     "Hola, {name}:\n\nsu {service} con {staff} está reservada para el {when}.\n"
                     "Adjuntamos el archivo de calendario.\n\n"
                     "Para cambiarla o cancelarla, use este enlace: {link}\n\n{firm}"),
        "rescheduled": _t("Nueva hora: {when}",
                          "Hola, {name}:\n\nsu {service} ha cambiado. La nueva hora es el {when}.\n"
                          "Adjuntamos el archivo de calendario actualizado.\n\n"
                          "Para cambiarla o cancelarla, use este enlace: {link}\n\n{firm}"),
        "cancelled": _t("Cita cancelada",
                        "Hola, {name}:\n\nsu {service} del {when} está cancelada.\n"
                        "Para reservar otra hora, use este enlace: {link}\n\n{firm}"),
        "no_show": _t("Le echamos de menos hoy",
                      "Hola, {name}:\n\nno pudimos verle en su {service} del {when}.\n"
                      "Elija una nueva hora aquí: {link}\n\n{firm}"),
        "reminder": _t("Recordatorio: {service}, {when}",
                       "Hola, {name}:\n\nle recordamos su {service} con {staff} el {when}.\n\n"
                       "¿Necesita otra hora? Cámbiela o cancélela aquí: {link}\n\n{firm}"),
        "message": _t("Tiene un nuevo mensaje seguro",
                      "Hola, {name}:\n\ntiene un nuevo mensaje seguro sobre {matter}.\n"
                      "Por su privacidad no lo enviamos por correo. Inicie sesión para leerlo: "
                      "{link}\n\n{firm}"),
        "task_due": _t("Una tarea vence el {due}",
                       "Hola, {name}:\n\nuna tarea de {matter} vence el {due}.\n"
                       "Véala aquí: {link}\n\n{firm}"),
        "document_due": _t("Documentos necesarios antes del {due}",
                           "Hola, {name}:\n\nesperamos documentos para {matter} antes del {due}.\n"
                           "Súbalos aquí: {link}\n\n{firm}"),
    },
    "ru": {
        "booked": _t("Ваша встреча: {when}",
                     "Здравствуйте, {name}!\n\n{service} с {staff} назначена на {when}.\n"
                     "Файл календаря во вложении.\n\n"
                     "Чтобы перенести или отменить встречу, перейдите по ссылке: {link}\n\n{firm}"),
        "rescheduled": _t("Новое время: {when}",
                          "Здравствуйте, {name}!\n\nвстреча ({service}) перенесена. "
                          "Новое время: {when}.\nОбновлённый файл календаря во вложении.\n\n"
                          "Чтобы перенести или отменить встречу, перейдите по ссылке: {link}"
                          "\n\n{firm}"),
        "cancelled": _t("Встреча отменена",
                        "Здравствуйте, {name}!\n\nвстреча ({service}) {when} отменена.\n"
                        "Выбрать новое время можно здесь: {link}\n\n{firm}"),
        "no_show": _t("Мы вас не дождались",
                      "Здравствуйте, {name}!\n\nмы ждали вас: {service}, {when}.\n"
                      "Выберите новое время здесь: {link}\n\n{firm}"),
        "reminder": _t("Напоминание: {service}, {when}",
                       "Здравствуйте, {name}!\n\nнапоминаем о встрече ({service}) с {staff}: "
                       "{when}.\n\nНужно другое время? Перенесите или отмените здесь: {link}"
                       "\n\n{firm}"),
        "message": _t("У вас новое защищённое сообщение",
                      "Здравствуйте, {name}!\n\nу вас новое защищённое сообщение по делу "
                      "{matter}.\nРади вашей конфиденциальности мы не пересылаем его по почте. "
                      "Войдите, чтобы прочитать: {link}\n\n{firm}"),
        "task_due": _t("Срок задачи: {due}",
                       "Здравствуйте, {name}!\n\nсрок задачи по делу {matter}: {due}.\n"
                       "Подробнее: {link}\n\n{firm}"),
        "document_due": _t("Документы нужны до {due}",
                           "Здравствуйте, {name}!\n\nмы ждём документы по делу {matter} "
                           "до {due}.\nЗагрузите их здесь: {link}\n\n{firm}"),
    },
}

SMS: dict[str, dict[str, str]] = {
    "en": {
        "booked": "{firm}: {service} booked for {when}. Change or cancel: {link}",
        "rescheduled": "{firm}: your {service} moved to {when}. Change or cancel: {link}",
        "cancelled": "{firm}: your {service} on {when} is cancelled. Book again: {link}",
        "no_show": "{firm}: we missed you today. Pick a new time: {link}",
        "reminder": "{firm}: reminder, {service} on {when}. Change or cancel: {link}",
        "message": "{firm}: you have a new secure message. Sign in to read it: {link}",
        "task_due": "{firm}: a task is due on {due}. Details: {link}",
        "document_due": "{firm}: documents needed by {due}. Upload: {link}",
    },
    "es": {
        "booked": "{firm}: cita reservada para el {when}. Cambiar o cancelar: {link}",
        "rescheduled": "{firm}: su cita se ha movido al {when}. Cambiar o cancelar: {link}",
        "cancelled": "{firm}: su cita del {when} esta cancelada. Reservar de nuevo: {link}",
        "no_show": "{firm}: hoy no pudimos verle. Elija otra hora: {link}",
        "reminder": "{firm}: le recordamos su cita el {when}. Cambiar o cancelar: {link}",
        "message": "{firm}: tiene un nuevo mensaje seguro. Entre para leerlo: {link}",
        "task_due": "{firm}: tiene una tarea para el {due}. Detalles: {link}",
        "document_due": "{firm}: necesitamos documentos antes del {due}. Subir: {link}",
    },
    "pl": {
        "booked": "{firm}: wizyta {when}. Zmiana lub odwołanie: {link}",
        "rescheduled": "{firm}: nowy termin {when}. Zmiana: {link}",
        "cancelled": "{firm}: wizyta {when} odwołana. Nowy termin: {link}",
        "no_show": "{firm}: nie było Cię dziś. Nowy termin: {link}",
        "reminder": "{firm}: przypomnienie, wizyta {when}. Zmiana: {link}",
        "message": "{firm}: nowa bezpieczna wiadomość. Zaloguj się: {link}",
        "task_due": "{firm}: termin zadania {due}. Szczegóły: {link}",
        "document_due": "{firm}: dokumenty do {due}. Prześlij: {link}",
    },
    "ru": {
        "booked": "{firm}: встреча {when}. Изменить: {link}",
        "rescheduled": "{firm}: новое время {when}. Изменить: {link}",
        "cancelled": "{firm}: встреча {when} отменена. Записаться: {link}",
        "no_show": "{firm}: мы вас не дождались. Новое время: {link}",
        "reminder": "{firm}: напоминаем о встрече {when}. Изменить: {link}",
        "message": "{firm}: новое защищённое сообщение. Войдите: {link}",
        "task_due": "{firm}: срок задачи {due}. Подробнее: {link}",
        "document_due": "{firm}: документы нужны до {due}. Загрузить: {link}",
    },
}


def default_text(*, event: str, channel: str, language: str) -> Text:
    lang = language if language in EMAIL else "en"
    if channel == "sms":
        return Text("", SMS[lang][event])
    return EMAIL[lang][event]


# The prepared check-in update for the silence alarm, in the client's language. {next_step}
# and {expected} are filled with a suggestion the lawyer edits before sending.
CHECKIN: dict[str, Text] = {
    "en": Text("Quick update: nothing new yet",
               "Nothing new yet on your matter; we have not forgotten you.\n"
               "Next step: {next_step}\nExpected by: {expected}"),
    "pl": Text("Krótka informacja: na razie bez zmian",
               "W Twojej sprawie na razie nie ma nic nowego; pamiętamy o Tobie.\n"
               "Następny krok: {next_step}\nSpodziewany termin: {expected}"),
    "es": Text("Breve novedad: de momento nada nuevo",
               "De momento no hay novedades en su asunto; no nos olvidamos de usted.\n"
               "Próximo paso: {next_step}\nFecha prevista: {expected}"),
    "ru": Text("Коротко: пока без изменений",
               "По вашему делу пока ничего нового; мы о вас помним.\n"
               "Следующий шаг: {next_step}\nОжидаемый срок: {expected}"),
}
