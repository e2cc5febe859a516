from django.core.wsgi import get_wsgi_application

from config.startup import settings_or_exit

settings_or_exit()
application = get_wsgi_application()
